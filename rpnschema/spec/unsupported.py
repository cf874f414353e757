"""tinybig 0.2.1 classes without an rpnschema counterpart, with the reason (no pydantic here:
validation reads it on its error path, the reference docs list it)."""

#: tinybig class name -> why rpnschema does not support it.
UNSUPPORTED_TINYBIG: dict[str, str] = {
    "transformation": "tinybig.compression.transformation is the abstract base class of all data "
    "transformations: tinybig constructs it, but its calculate_D and forward return None; use a "
    "concrete compression or expansion",
}
