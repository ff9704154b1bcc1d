"""Events, acts, persons, sources, interventions, evidence and consent."""
