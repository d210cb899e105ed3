"""Checks the server's OpenAPI document with independent validators.

Usage: python3 openapi_check.py INPUT_JSON, where the input holds the document
(`GET /api`) and briefs by name (as JSON). Prints one JSON object: the document's
error as openapi-spec-validator sees it (null when valid), and per brief the errors
the document's Brief schema gives it through openapi-schema-validator's OAS 3.0
validator (an empty list when it conforms).
"""

import json
import sys

from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

given = json.load(open(sys.argv[1], encoding="utf-8"))
document = given["document"]
try:
    validate(document)
    document_error = None
except Exception as e:  # the validator's own error types
    document_error = str(e)[:2000]
schema = document["components"]["schemas"]["Brief"]
validator = OAS30Validator(schema)
errors = {
    name: sorted(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
        for e in validator.iter_errors(brief)
    )
    for name, brief in given["briefs"].items()
}
print(json.dumps({"document_error": document_error, "errors": errors}))
