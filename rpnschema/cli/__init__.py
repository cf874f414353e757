"""The ``rpnschema`` command line (Typer). Exit codes: 0 ok, 1 invalid spec, 2 usage/IO error."""

from rpnschema.cli.app import app as app
from rpnschema.cli.app import main as main
