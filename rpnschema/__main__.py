"""``python -m rpnschema``: the same as the ``rpnschema`` command."""

from rpnschema.cli import main

if __name__ == "__main__":
    main()
