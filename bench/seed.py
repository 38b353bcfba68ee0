"""Prepare the benchmark database: the site tree and one realistic consultation.

Run by bench/pages.py as ``python -m bench.seed`` with the benchmark's environment; prints the
public path of the consultation page. Reuses the demo content (the waste-to-energy siting
consultation: ten clauses, two alternatives, four questions) without the demo accounts.
"""

from __future__ import annotations

import django


def main() -> None:
    django.setup()
    from cms import demo_content
    from cms.management.commands import seed_demo
    from consultations.models import Consultation

    spec = demo_content.BENCH_CONSULTATION
    seed_demo.ensure_site()
    if not Consultation.objects.filter(slug=spec["slug"]).exists():
        seed_demo.seed_consultation(
            spec,
            departments=seed_demo.seed_departments(),
            districts=seed_demo.seed_districts(),
        )
    print(f"/consultations/{spec['slug']}/")


if __name__ == "__main__":
    main()
