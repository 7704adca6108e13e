"""Hand-written cross-subgraph read operations on our supergraph, keyed by case name.

Operations declare only the variables they use from `seeded_ids` (`$doctorId`, `$institutionId`,
`$patientId`, `$specialtyId`). Volatile fields (timestamps of sign-ins, audit events, generated-at
times) are left out: they may change between the two gateways' requests.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["CORPUS", "variables_for"]

_DOCTOR = "id firstName lastName professionalStatus licenseStatus yearsExperience isActive"
_INSTITUTION = "id name institutionType region isActive isVerified"
_PATIENT = "id firstName lastName gender validationStatus isActive age"

CORPUS: dict[str, str] = {
    "me": "{ me { id email role profileId isActive } }",
    "me-typename": "{ __typename me { __typename id role } }",
    "user-count": "{ userCounts { total byRole { role count } } }",
    "specialties": "{ specialties { id name category description } }",
    "doctors-page": f"{{ doctors(first: 5) {{ totalCount edges {{ cursor node {{ {_DOCTOR} }} }}"
    " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
    "doctors-with-institution": f"{{ doctors(first: 6) {{ edges {{ node {{ id lastName"
    f" institution {{ {_INSTITUTION} }} }} }} }} }}",
    "doctors-with-specialty": "{ doctors(first: 6) { edges { node { id specialty { id name }"
    " secondarySpecialty { id name } } } } }",
    "doctors-private-fields": "{ doctors(first: 4) { edges { node { id email phone"
    " medicalLicense consultationFee licenseReviewedBy } } } }",
    "doctors-patient-count": "{ doctors(first: 5) { edges { node { id patientCount } } } }",
    "doctors-patients": f"{{ doctors(first: 3) {{ edges {{ node {{ id patients(first: 3) {{"
    f" edges {{ node {{ {_PATIENT} }} }} }} }} }} }} }}",
    "doctors-sorted-desc": "{ doctors(first: 4, sort: {field: NAME, direction: DESC})"
    " { edges { node { id lastName } } } }",
    "doctors-filter-active": "{ doctors(first: 4, filter: {isActive: true}) { totalCount"
    " edges { node { id isActive institution { name } } } } }",
    "doctors-by-institution": "query Q($institutionId: ID!) { doctors(first: 5,"
    " filter: {institutionIds: [$institutionId]}) { totalCount edges { node { id"
    " institution { id name doctorCount } } } } }",
    "doctors-by-specialty": "query Q($specialtyId: ID!) { doctors(filter: {specialtyIds:"
    " [$specialtyId]}) { totalCount edges { node { id specialty { name } } } } }",
    "doctor-one": f"query Q($doctorId: ID!) {{ doctor(id: $doctorId) {{ {_DOCTOR}"
    " specialty { name } institution { name patientCount } patientCount } }",
    "doctor-unknown": '{ doctor(id: "00000000-0000-0000-0000-000000000000") { id lastName } }',
    "doctor-bad-id": '{ doctor(id: "not-a-uuid") { id } }',
    "doctor-aliases": "query Q($doctorId: ID!) { a: doctor(id: $doctorId) { who: lastName"
    " where: institution { n: name } } b: doctor(id: $doctorId) { id } }",
    "doctor-fragments": "query Q($doctorId: ID!) { doctor(id: $doctorId) { ...D institution"
    " { ...I } } } fragment D on Doctor { id firstName } fragment I on Institution { id name"
    " doctorCount(activeOnly: true) }",
    "doctor-skip-include": "query Q($doctorId: ID!, $yes: Boolean = true) { doctor(id: $doctorId)"
    " { id institution @include(if: $yes) { name } specialty @skip(if: $yes) { name } } }",
    "doctor-statistics": "{ doctorStatistics { total active bySpecialty { count specialty"
    " { name } } byInstitution { count } byStatus { count } byLicenseStatus { count } } }",
    "institutions-page": f"{{ institutions(first: 5) {{ totalCount edges {{ node"
    f" {{ {_INSTITUTION} }} }} pageInfo {{ hasNextPage endCursor }} }} }}",
    "institutions-doctors": "{ institutions(first: 4) { edges { node { id name doctorCount"
    " doctors(first: 3) { totalCount edges { node { id lastName specialty { name } } } } } } } }",
    "institutions-patients": "{ institutions(first: 4) { edges { node { id patientCount"
    " patients(first: 3) { edges { node { id lastName doctor { id lastName } } } } } } } }",
    "institutions-private": "{ institutions(first: 3) { edges { node { id contactEmail phone"
    " address website licenseNumber } } } }",
    "institution-one": f"query Q($institutionId: ID!) {{ institution(id: $institutionId) {{"
    f" {_INSTITUTION} doctorCount(activeOnly: true) patientCount doctors(first: 2) {{ edges"
    " { node { id institution { id name } } } } } }",
    "institution-unknown": '{ institution(id: "00000000-0000-0000-0000-000000000000") { id } }',
    "institution-statistics": "{ institutionStatistics { total verified unverified active"
    " byType { count } byRegion { count } } }",
    "patients-page": f"{{ patients(first: 5) {{ edges {{ cursor node {{ {_PATIENT} }} }}"
    " pageInfo { hasNextPage endCursor } } }",
    "patients-doctor-institution": "{ patients(first: 6) { edges { node { id doctor { id"
    " lastName specialty { name } institution { name } } institution { id name doctorCount } } } } }",
    "patients-private": "{ patients(first: 3) { edges { node { id email phone dateOfBirth"
    " emergencyContacts { name relationship phone isPrimary } } } } }",
    "patients-filter-gender": "{ patients(first: 4, filter: {genders: [FEMALE]}) { edges { node"
    " { id gender doctor { lastName } } } } }",
    "patient-count": "query Q($doctorId: ID!) { all: patientCount mine: patientCount(filter:"
    " {doctorIds: [$doctorId]}) }",
    "patient-one": "query Q($patientId: ID!) { patient(id: $patientId) { id firstName age"
    " doctor { id lastName institution { name } } institution { id name patientCount } } }",
    "patient-unknown": '{ patient(id: "00000000-0000-0000-0000-000000000000") { id } }',
    "patient-statistics": "{ patientStatistics { total byGender { key count suppressed }"
    " byValidationStatus { key count } byAgeBand { key count } byDoctor { key count } } }",
    "system-statistics": "{ systemStatistics { usersByRole { key count suppressed }"
    " institutions { key count } doctors { key count } patients { key count }"
    " patientsByGender { key count } unavailable } }",
    "mixed-roots": "{ me { role } specialties { name } doctors(first: 2) { edges { node { id"
    " institution { name } } } } institutions(first: 2) { totalCount } patientCount }",
    "deep-chain": "{ patients(first: 3) { edges { node { doctor { institution { doctors(first: 2)"
    " { edges { node { lastName patientCount } } } } } } } } }",
    "validation-error": "{ doctors { edges { node { noSuchField } } } }",
    "syntax-error": "{ doctors(first: ) }",
}


def variables_for(query: str, ids: dict[str, str]) -> dict[str, Any] | None:
    """The `seeded_ids` this operation declares as variables (None when it declares none)."""
    declared = set(re.findall(r"\$(\w+)\s*:", query))
    used = {name: ids[name] for name in declared if name in ids}
    return used or None
