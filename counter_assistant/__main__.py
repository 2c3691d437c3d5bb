from counter_assistant.platform.upgrade import pin_frozen_archive

pin_frozen_archive()  # frozen: keep reading our own modules even after an upgrade replaced them

from counter_assistant.cli import main  # noqa: E402

raise SystemExit(main())
