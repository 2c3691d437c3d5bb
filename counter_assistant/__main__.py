import sys

from counter_assistant.platform.upgrade import pin_frozen_archive

pin_frozen_archive()  # frozen: keep reading our own modules even after an upgrade replaced them

from counter_assistant.start import run_window, starts_the_window  # noqa: E402

if starts_the_window(sys.argv[1:]):  # the window: the other commands are not even imported
    raise SystemExit(run_window(sys.argv[1:]))

from counter_assistant.cli import main  # noqa: E402

raise SystemExit(main())
