// Serve a static supergraph with @apollo/gateway + @apollo/server, for differential tests.
// Usage: node apollo_gateway.mjs --supergraph FILE [--port N] [--host 127.0.0.1]
//        [--forward-headers authorization,x-request-id]  (client headers copied to subgraph requests)
// No schema polling, no usage/schema reporting, no landing page; subgraph errors pass through
// (no stack traces). Prints "apollo gateway listening on http://HOST:PORT/graphql" when ready.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer, HeaderMap } from "@apollo/server";
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";

const { values } = parseArgs({
  options: {
    supergraph: { type: "string" },
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    "forward-headers": { type: "string", default: "" },
  },
});
if (!values.supergraph) {
  console.error("--supergraph FILE is required");
  process.exit(2);
}

const forwarded = values["forward-headers"]
  .split(",")
  .map((name) => name.trim().toLowerCase())
  .filter(Boolean);

// Subgraphs see the client's headers named in --forward-headers (e.g. its Bearer token), the
// way a production gateway propagates auth; the context carries the incoming HeaderMap.
class ForwardingDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    for (const name of forwarded) {
      const value = context?.headers?.get(name);
      if (value !== undefined) request.http.headers.set(name, value);
    }
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(values.supergraph, "utf8"),
  ...(forwarded.length > 0 && {
    buildService: ({ url }) => new ForwardingDataSource({ url }),
  }),
});
const server = new ApolloServer({
  gateway,
  includeStacktraceInErrorResponses: false,
  // The differential tests fuzz the API schema that this gateway reports by introspection.
  introspection: true,
  plugins: [
    ApolloServerPluginLandingPageDisabled(),
    ApolloServerPluginUsageReportingDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
  ],
});
await server.start();

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

// A bare node:http server (rather than startStandaloneServer) so /health exists and only
// /graphql speaks GraphQL, like the router under test.
const http = createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/health") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  if (url.pathname !== "/graphql") {
    res.writeHead(404).end();
    return;
  }
  try {
    const raw = await readBody(req);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const contentType = headers.get("content-type") ?? "";
    const body = raw && contentType.startsWith("application/json") ? JSON.parse(raw) : raw;
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? "GET", headers, search: url.search, body },
      context: async () => ({ headers }),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      res.end(response.body.string);
    } else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  } catch (error) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ errors: [{ message: String(error?.message ?? error) }] }));
  }
});

http.listen(Number(values.port), values.host, () => {
  const { port } = http.address();
  console.log(`apollo gateway listening on http://${values.host}:${port}/graphql`);
});

const stop = async () => {
  http.close();
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
