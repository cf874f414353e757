"""``python -m rpnschema.reference``: regenerate (``--write``) or check the generated texts."""

from rpnschema.reference import main

raise SystemExit(main())
