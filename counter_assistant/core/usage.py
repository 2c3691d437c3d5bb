"""The usage record: one prompt shown. No customer data, by construction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC

from counter_assistant import __version__
from counter_assistant.core.clock import Clock


@dataclass(frozen=True)
class UsageRecord:
    uuid: str
    ts_utc: str
    local_date: str
    counter_id: str
    staff_id: str
    situation: str
    variant: str
    business: str
    trigger: str
    app_version: str

    def as_dict(self) -> dict[str, str]:
        return dict(vars(self))  # flat fields: no need for asdict's deep copy


def new_record(
    clock: Clock,
    *,
    counter_id: str,
    staff_id: str,
    situation: str,
    variant: str,
    business: str = "",
    trigger: str = "hotkey",
) -> UsageRecord:
    now = clock.now()
    return UsageRecord(
        uuid=str(uuid.uuid4()),
        ts_utc=now.astimezone(UTC).isoformat(timespec="microseconds"),
        local_date=now.date().isoformat(),
        counter_id=counter_id,
        staff_id=staff_id,
        situation=situation,
        variant=variant,
        business=business,
        trigger=trigger,
        app_version=__version__,
    )
