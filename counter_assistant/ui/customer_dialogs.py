"""The two dialogs the clerk fills in for the citizen at the counter: the picker and the
fields. Built on first use and again after new center content; each takes the keyboard
only while open and hands it back through the dialog focus stack."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from counter_assistant.context import Context
from counter_assistant.core.clock import Clock
from counter_assistant.core.session import Filled
from counter_assistant.ui.controller import CounterController
from counter_assistant.ui.dialog_focus import DialogFocus

if TYPE_CHECKING:
    from counter_assistant.ui.fields import FieldsDialog
    from counter_assistant.ui.picker import PickerDialog


class CustomerDialogs:
    def __init__(
        self,
        ctx: Context,
        controller: CounterController,
        clock: Clock,
        focus: DialogFocus,
        on_chosen: Callable[[str, int], None],
        on_next_customer: Callable[[], None],
        on_notice: Callable[[], None],
    ) -> None:
        self.ctx = ctx
        self.controller = controller
        self.clock = clock
        self.focus = focus
        self._on_chosen = on_chosen
        self._on_next_customer = on_next_customer
        self._on_notice = on_notice
        self._picker: PickerDialog | None = None
        self._fields: FieldsDialog | None = None

    @property
    def picker(self) -> PickerDialog:
        if self._picker is None:
            from counter_assistant.core.picking import choices
            from counter_assistant.ui.picker import PickerDialog

            session = self.controller.session

            def render(choice) -> str:
                variant = session.catalog[choice.key].variants[choice.index]
                return variant.render(session.values())

            picker = PickerDialog(
                choices(self.ctx.catalog, self.ctx.answers),
                render,
                min(self.ctx.config.font_size, 16),
            )
            picker.chosen.connect(self._on_chosen)
            picker.finished.connect(lambda _r: self.focus.closed(picker))
            self._picker = picker
        return self._picker

    @property
    def fields(self) -> FieldsDialog:
        if self._fields is None:
            from counter_assistant.ui.fields import FieldsDialog

            fields = FieldsDialog(
                self.ctx.business, min(self.ctx.config.font_size, 16), rules=self.ctx.rules
            )
            fields.applied.connect(self.controller.apply_fields)
            fields.next_customer.connect(self._on_next_customer)
            # after the fields dialog has handed the keyboard back
            fields.notice_requested.connect(lambda: QTimer.singleShot(0, self._on_notice))
            fields.finished.connect(lambda _r: self.focus.closed(fields))
            self._fields = fields
        return self._fields

    def open_picker(self) -> None:
        self.focus.opened(self.picker)
        self.picker.open_fresh()

    def open_fields(self) -> None:
        self.focus.opened(self.fields)
        session = self.controller.session
        filled = session.for_dialog(self.clock.now())
        self.fields.open_for(filled, fresh=session.has_customer and filled == Filled())

    def any_open(self) -> bool:
        return any(d is not None and d.isVisible() for d in (self._picker, self._fields))

    def forget(self) -> None:
        """New content: the lists they show are built again on next use."""
        for dialog in (self._picker, self._fields):
            if dialog is not None:
                dialog.deleteLater()
        self._picker = self._fields = None
