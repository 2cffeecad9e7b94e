import pytest

from campus.core.models import AuditEntry
from campus.people import services
from campus.people.models import Agent


@pytest.mark.django_db
def test_agent_create_writes_audit_row(coordinator):
    org = coordinator.agent.organisation
    agent = services.agent_create(
        actor=coordinator, organisation=org, matricule="X1", last_name="Durand", first_name="Léa"
    )
    assert Agent.objects.filter(pk=agent.pk).exists()
    entry = AuditEntry.objects.get(action="agent.create", object_id=str(agent.pk))
    assert entry.actor == coordinator
    assert entry.changes["last_name"] == {"before": None, "after": "Durand"}
