def test_floor_page_costs_no_query(client, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = client.get("/_plancher/")
    assert response.status_code == 200
    assert b"Campus" in response.content
