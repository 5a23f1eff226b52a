import sys

try:
    from engine.cli import main
except KeyboardInterrupt:  # Ctrl-C while syncrules itself is still loading
    exec("")  # see cli._interrupted: forget an interrupt CPython noted inside exec()
    sys.stderr.write("syncrules: interrupted\n")
    sys.exit(130)

sys.exit(main())
