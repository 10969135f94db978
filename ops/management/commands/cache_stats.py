from django.core.management.base import BaseCommand

from ops.cache import NAMESPACES, backend_report, stats


class Command(BaseCommand):
    help = "Cache hit rate per namespace (all processes), entry counts, and Redis memory."

    def handle(self, *args, **options):
        counters = stats()
        report = backend_report()
        self.stdout.write(f"backend: {report['backend']}")
        self.stdout.write(
            f"{'namespace':<10} {'hits':>9} {'misses':>9} {'errors':>7} {'hit rate':>9} "
            f"{'entries':>8} {'stale':>7}"
        )
        for ns in NAMESPACES:
            c = counters[ns]
            looked_up = c["hits"] + c["misses"]
            rate = f"{100 * c['hits'] / looked_up:8.1f}%" if looked_up else "        -"
            entries = report["namespaces"].get(ns, {})
            self.stdout.write(
                f"{ns:<10} {c['hits']:>9} {c['misses']:>9} {c['errors']:>7} {rate} "
                f"{entries.get('current', '-'):>8} {entries.get('stale', '-'):>7}"
            )
        if report["memory"]:
            memory = report["memory"]
            self.stdout.write(
                f"redis memory: {memory['used_memory_human']} (peak {memory['used_memory_peak_human']}, "
                f"policy {memory['maxmemory_policy']}); {report['scanned']} keys scanned"
                + (" (truncated)" if report.get("truncated") else "")
            )
