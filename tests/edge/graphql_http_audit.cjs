// Run graphql-http's server audits against URL (argv[2]); print [{id,name,status,reason}] as JSON.
// Resolved from the working directory (tests/peers), where the npm peers are installed.
// Every request carries `apollo-require-preflight`, as a CSRF-safe client does.
const { serverAudits } = require(require.resolve("graphql-http", { paths: [process.cwd()] }));

(async () => {
  const results = [];
  const fetchFn = (input, init = {}) => {
    const headers = new Headers(init.headers || {});
    headers.set("apollo-require-preflight", "true");
    return fetch(input, { ...init, headers });
  };
  for (const audit of serverAudits({ url: process.argv[2], fetchFn })) {
    const result = await audit.fn();
    results.push({ id: audit.id, name: audit.name, status: result.status, reason: result.reason || null });
  }
  process.stdout.write(JSON.stringify(results));
})();
