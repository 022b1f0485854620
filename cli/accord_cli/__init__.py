"""The ``accord`` command line (installed as ``accord_cli``; the engine is ``accord``)."""
