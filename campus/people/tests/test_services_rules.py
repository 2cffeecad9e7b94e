import datetime

import pytest

from campus.core.exceptions import DomainError
from campus.core.models import AuditEntry
from campus.people import services
from campus.people.models import Agent
from campus.people.tests.factories import AgentFactory, UserFactory


@pytest.mark.django_db
def test_departure_before_arrival_is_refused_and_changes_nothing(coordinator):
    agent = AgentFactory(arrival_date=datetime.date(2020, 1, 1))
    entries = AuditEntry.objects.count()
    with pytest.raises(DomainError) as excinfo:
        services.agent_deactivate(
            actor=coordinator, agent=agent, departure_date=datetime.date(2019, 1, 1)
        )
    assert excinfo.value.code == "agent.departure_before_arrival"
    agent.refresh_from_db()
    assert agent.is_active
    assert agent.departure_date is None
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_reactivating_an_agent_reactivates_the_account(coordinator):
    user = UserFactory()
    services.agent_deactivate(actor=coordinator, agent=user.agent)
    user.refresh_from_db()
    assert not user.is_active
    services.agent_update(actor=coordinator, agent=user.agent, is_active=True, departure_date=None)
    user.refresh_from_db()
    assert user.is_active
    assert Agent.objects.get(pk=user.agent.pk).is_active


@pytest.mark.django_db
def test_audit_keeps_an_object_id_of_zero(coordinator):
    from campus.core.audit import audit_record

    entry = audit_record(actor=coordinator, action="agent.update", object_type="x", object_id=0)
    assert entry.object_id == "0"


@pytest.mark.django_db
def test_refusal_page_gives_the_reason_in_french(client, agent_user):
    other = AgentFactory()
    client.force_login(agent_user)
    response = client.get(f"/agents/{other.pk}/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


@pytest.mark.django_db
def test_audit_log_cannot_be_changed():
    from campus.core.models import AuditEntry, AuditLogIsAppendOnly

    entry = AuditEntry.objects.create(action="x", object_type="y", object_id="1")
    entry.action = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="changed")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
