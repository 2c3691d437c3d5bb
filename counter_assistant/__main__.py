import sys

from counter_assistant.platform.upgrade import pin_frozen_archive

pin_frozen_archive()  # frozen: keep reading our own modules even after an upgrade replaced them

from counter_assistant.start import run_window, window_args  # noqa: E402

window = window_args(sys.argv[1:])
if window is not None:  # the window: the other commands are not even imported
    raise SystemExit(run_window(window))

from counter_assistant.cli import main  # noqa: E402

raise SystemExit(main())
