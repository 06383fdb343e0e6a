"""What the running app does on its own each day: compose the briefing, take a backup."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.analytics.briefing import keep_briefing, today
from assistant.core.records import CrmError
from assistant.store import backup
from assistant.store.briefings import briefing_on

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from assistant.services import Services

log = logging.getLogger(__name__)
BRIEFING_HOUR = 7  # setting `briefing_hour`: before most shops open
BACKUP_HOUR = 3  # a quiet hour; the backup is online, so a busy one is fine too


def hour_setting(store: Any, key: str, default: int) -> int:
    """An hour of the day from the settings, or the default when unset or not 0-23."""
    try:
        value = int(store.get_setting(key, default))
    except (TypeError, ValueError):
        return default
    return value if 0 <= value <= 23 else default


def compose_briefing(services: Services, day: date | None = None) -> bool:
    """Compose and keep the day's briefing unless it is already kept; True if it composed one."""
    store = services.store
    when = (day or date.today()).isoformat()
    if briefing_on(store, when) is not None:
        return False
    try:
        keep_briefing(store, today(store, when, lang=services.ui_language()))
    except CrmError as ex:  # an unreadable file or bad data: say so in the log, try tomorrow
        log.warning("daily briefing not composed: %s", ex)
        return False
    return True


def daily_backup(services: Services) -> None:
    """An online backup into the data folder, keeping the last `backup_keep`."""
    config = services.settings
    try:
        made = backup.take_backup(config.db_path, backup.backup_folder(config.data_dir),
                                  backup.keep_setting(services.store))
        log.info("daily backup: %s", made)
    except (CrmError, OSError) as ex:
        log.warning("daily backup failed: %s", ex)


def start(services: Services) -> BackgroundScheduler:
    """Start the day's jobs in a background thread (and compose today's briefing now if it is
    missing, so a shop that opens the app at 10 still has one)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    store = services.store
    scheduler = BackgroundScheduler(daemon=True, job_defaults={"coalesce": True,
                                                               "misfire_grace_time": 6 * 3600})
    scheduler.add_job(compose_briefing, CronTrigger(hour=hour_setting(store, "briefing_hour",
                                                                      BRIEFING_HOUR)),
                      args=[services], id="briefing", replace_existing=True)
    scheduler.add_job(daily_backup, CronTrigger(hour=BACKUP_HOUR), args=[services], id="backup",
                      replace_existing=True)
    scheduler.add_job(compose_briefing, args=[services], id="briefing-now")
    scheduler.start()
    return scheduler
