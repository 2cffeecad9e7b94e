"""Synthetic data at scale for the benchmark: `manage.py generate_data`.

Not a Django app (it has no models): plain modules that plan plausible rows in
Python, with ids assigned up front, and load them in bulk (`loader`).

    generate(sizes=PRESETS["metropolis"], seed=1)  # generator.py, in one transaction
    bench_fixtures()      # ids the benchmark needs, recorded by the last generation
    rush_session_reset()  # empty the 13-seat rush session to run the rush again

Phases: people.py (organisations, departments, agents, accounts), catalogue.py,
scheduling.py (venues, rooms, sessions, parts), registrations.py (sign-ups
replayed under the capacity rules, their history, attendance); verify.py holds
the invariants checked after every run.
"""
