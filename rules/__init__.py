"""Rule files (CAL000.yaml ... and schema.json), shipped as package data `linter.rules`."""
