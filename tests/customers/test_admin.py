from django.urls import reverse

from customers.models import Customer
from tests.factories import CustomerFactory


def test_the_admin_login_page_renders(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert b"Customer documents" in response.content
    assert b'name="username"' in response.content


def test_the_customer_list_finds_customers_by_name(client, superuser):
    CustomerFactory(name="Ada Lovelace")
    CustomerFactory(name="Grace Hopper")
    client.force_login(superuser)

    response = client.get(reverse("admin:customers_customer_changelist"), {"q": "ada"})

    assert response.status_code == 200
    assert [c.name for c in response.context["cl"].result_list] == ["Ada Lovelace"]


def test_the_customer_list_finds_a_customer_by_id(client, superuser):
    wanted = CustomerFactory()
    CustomerFactory()
    client.force_login(superuser)

    response = client.get(
        reverse("admin:customers_customer_changelist"), {"q": str(wanted.id)}
    )

    assert list(response.context["cl"].result_list) == [wanted]


def test_a_search_that_is_not_an_id_does_not_break_the_list(client, superuser):
    CustomerFactory(name="Ada Lovelace")
    client.force_login(superuser)

    response = client.get(
        reverse("admin:customers_customer_changelist"), {"q": "not-a-uuid"}
    )

    assert response.status_code == 200


def test_the_customer_list_filters_by_kind(client, superuser):
    CustomerFactory(name="Acme Holdings SA", kind=Customer.Kind.COMPANY)
    CustomerFactory(name="Ada Lovelace", kind=Customer.Kind.INDIVIDUAL)
    client.force_login(superuser)

    response = client.get(
        reverse("admin:customers_customer_changelist"), {"kind__exact": "company"}
    )

    assert [c.name for c in response.context["cl"].result_list] == ["Acme Holdings SA"]


def test_a_customer_gets_a_random_uuid():
    first, second = Customer(), Customer()

    assert first.id != second.id
    assert first.id.version == 4
