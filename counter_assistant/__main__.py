from counter_assistant.cli import main

raise SystemExit(main())
