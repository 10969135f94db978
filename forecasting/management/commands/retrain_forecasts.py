import sys
import time

from django.core.management.base import BaseCommand, CommandError

from forecasting.engine.options import DEFAULT_HORIZON_DAYS, MAX_HORIZON_DAYS, MIN_HORIZON_DAYS
from forecasting.models import DemandSeries
from forecasting.services import forecast_retrain


class Command(BaseCommand):
    help = (
        "Backtest the candidate models of every demand series, keep the best, store its forecast. "
        "The cron entry; exits non-zero when any series failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--parallel", action="store_true", help="train over worker processes")
        parser.add_argument(
            "--workers", type=int, default=2, help="worker processes with --parallel (default 2)"
        )
        parser.add_argument("--series", type=int, nargs="+", help="only these series ids")
        parser.add_argument("--horizon-days", type=int, default=DEFAULT_HORIZON_DAYS)

    def handle(self, *args, parallel, workers, series, horizon_days, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        if not MIN_HORIZON_DAYS <= horizon_days <= MAX_HORIZON_DAYS:
            raise CommandError(f"--horizon-days must be between {MIN_HORIZON_DAYS} and {MAX_HORIZON_DAYS}")
        queryset = DemandSeries.objects.select_related("department").order_by("pk")
        if series:
            queryset = queryset.filter(pk__in=series)
            missing = sorted(set(series) - set(queryset.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"unknown series: {', '.join(map(str, missing))}")
        selected = list(queryset)
        if not selected:
            raise CommandError("no demand series to train (run seed_demo or upload observations)")

        started = time.monotonic()
        summary = forecast_retrain(
            series=selected,
            workers=workers if parallel else 1,
            horizon_days=horizon_days,
            progress=self._progress_bar(started),
        )
        sys.stderr.write("\n")
        self._table(summary)
        failed = summary.failed
        self.stdout.write(
            f"{len(summary.results) - len(failed)}/{len(summary.results)} series retrained in "
            f"{summary.wall_seconds:.1f} s with {workers if parallel else 1} worker(s)"
        )
        if failed:
            raise CommandError(f"{len(failed)} series failed: " + ", ".join(str(s.pk) for s, _ in failed))

    def _progress_bar(self, started: float):
        def show(done: int, total: int, result) -> None:
            width = 30
            filled = int(width * done / total)
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} series "
                f"{time.monotonic() - started:5.1f} s  last: {result.series_key} "
                f"{'ok' if result.ok else 'FAILED'}"
            )
            sys.stderr.flush()

        return show

    def _table(self, summary) -> None:
        columns = [f"{'series':>6}", f"{'unit / metric':<42}", f"{'chosen':<16}"]
        columns += [f"{'MASE':>6}", f"{'naive':>6}"]
        header = " ".join(columns) + f" {'secs':>6}  outcome"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for series, result in summary.results:
            chosen = result.algorithm or "-"
            score = result.metrics.get(chosen)
            naive = result.metrics.get("seasonal_naive")
            fmt = lambda s: f"{s.mase:6.3f}" if s is not None and s.ok else "     -"  # noqa: E731
            outcome = "ok" if result.ok else f"failed: {result.error}"
            self.stdout.write(
                f"{series.pk:>6}  {str(series)[:42]:<42} {chosen:<16} {fmt(score)} {fmt(naive)} "
                f"{result.duration_s:6.2f}  {outcome}"
            )
