"""The OpenAPI document (/api/schema/) and its docs page (/api/docs/)."""

import re

import pytest
import yaml
from django.test import Client

from reviewapp.api import urls as api_urls

CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _documented_path(route: str) -> str:
    """``v1/reviews/<id:pk>/answers/<str:key>/`` as the schema writes it: ``/api/v1/reviews/{id}/answers/{key}/``."""
    return "/api/" + CONVERTER.sub(lambda m: "{id}" if m.group(1) == "pk" else f"{{{m.group(1)}}}", route)


API_PATHS = {_documented_path(str(p.pattern)) for p in api_urls.urlpatterns if str(p.pattern).startswith("v1/")}


@pytest.fixture
def schema(client_for, alice) -> dict:
    response = client_for(alice).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    return response.json()


def test_it_documents_every_api_path(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Well-Architected Review API"
    assert set(schema["paths"]) == API_PATHS
    assert "/api/v1/reviews/{id}/answers/{key}/" in API_PATHS


def test_it_documents_the_methods_of_each_path(schema):
    methods = {path: sorted(ops) for path, ops in schema["paths"].items()}

    assert methods["/api/v1/reviews/{id}/answers/{key}/"] == ["get", "patch", "put"]
    assert methods["/api/v1/workloads/"] == ["get", "post"]
    assert methods["/api/v1/workloads/{id}/members/{member_pk}/"] == ["delete"]
    assert methods["/api/v1/reviews/{id}/milestones/"] == ["get", "post"]


def test_it_documents_the_token_and_the_session_on_every_operation(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    assert schema["components"]["securitySchemes"]["cookieAuth"]["name"] == "sessionid"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"tokenAuth": []} in operation["security"], (method, path)


def test_it_documents_the_answer_version_and_the_filters(schema):
    answer = schema["components"]["schemas"]["PatchedAnswerRequest"]["properties"]
    filters = {p["name"] for p in schema["paths"]["/api/v1/reviews/{id}/answers/"]["get"]["parameters"]}

    assert answer["version"] == {"type": "integer", "maximum": 2147483647, "minimum": 0}
    assert answer["notes"]["maxLength"] == 2084
    assert filters == {"id", "pillar", "risk"}


def test_it_serves_yaml_by_default(client_for, alice):
    response = client_for(alice).get("/api/schema/")

    assert response["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    assert set(yaml.safe_load(response.content)["paths"]) == API_PATHS


def test_it_serves_the_schema_to_a_token_too(api_for, alice):
    response = api_for(alice).get("/api/schema/", {"format": "json"})

    assert set(response.json()["paths"]) == API_PATHS


def test_it_asks_anonymous_callers_to_authenticate_for_the_schema(db):
    """Like /api/v1/, the schema and docs need a signed-in user or a token (SERVE_PERMISSIONS)."""
    response = Client().get("/api/schema/", {"format": "json"})

    assert response.status_code == 401


def test_it_renders_the_docs_page_from_this_site(client_for, alice):
    response = client_for(alice).get("/api/docs/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "<title>API docs · Well-Architected Review</title>" in content
    assert "/api/schema/" in content
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', content)
    assert scripts == ["/api/docs/redoc.js"]
    assert '<link rel="icon" href="/static/favicon.svg"' in content
    assert '<a href="/">← Back to Well-Architected Review</a>' in content
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_it_serves_redoc_from_this_site_with_no_outside_address(client_for, alice):
    response = client_for(alice).get("/api/docs/redoc.js")

    script = response.content.decode()
    assert response["Content-Type"].startswith("text/javascript")
    assert "Redoc" in script and len(script) > 500_000
    assert "cdn.redoc.ly" not in script
    assert '"/static/favicon.svg"' in script


def test_it_groups_the_operations_by_resource_with_a_summary_each(schema):
    tags = [tag["name"] for tag in schema["tags"]]
    operations = [op for ops in schema["paths"].values() for op in ops.values()]

    assert tags == [
        "Lenses",
        "Workloads",
        "Members",
        "Reviews",
        "Answers",
        "Improvement plan",
        "Milestones",
        "Sessions",
        "Profiles",
        "Review templates",
        "Exports",
        "Notifications",
    ]
    assert all(op["tags"][0] in tags for op in operations)
    assert all(op.get("summary") for op in operations)
    answers = schema["paths"]["/api/v1/reviews/{id}/answers/{key}/"]
    assert (answers["patch"]["tags"], answers["patch"]["summary"]) == (["Answers"], "Change part of one answer")


def test_it_writes_the_docs_headings_in_korean_for_a_korean_reader(client_for, alice):
    schema = client_for(alice, language="ko").get("/api/schema/", {"format": "json"}).json()

    assert schema["tags"][0]["name"] == "렌즈"
    assert schema["paths"]["/api/v1/workloads/"]["get"]["summary"] == "내 워크로드 목록"


def test_it_asks_anonymous_visitors_to_authenticate_for_the_docs_page(db):
    response = Client().get("/api/docs/")

    assert response.status_code == 401


def test_it_documents_the_export_format_as_csv_or_json_only(schema):
    patterns = {
        p["schema"]["pattern"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for p in operation.get("parameters", [])
        if p["name"] == "fmt"
    }

    assert patterns
    for pattern in patterns:
        assert [value for value in ("csv", "json", "csv.exe", "xjson") if re.search(pattern, value)] == ["csv", "json"]


def test_it_documents_the_409_body_of_an_answer_update(schema):
    response = schema["paths"]["/api/v1/reviews/{id}/answers/{key}/"]["patch"]["responses"]["409"]
    ref = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    assert {"error", "current"} <= set(schema["components"]["schemas"][ref]["properties"])
