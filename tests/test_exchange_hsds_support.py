"""Shared pieces for the HSDS exchange tests: a dataset from an imaginary other publisher.

Imported by test_exchange_hsds*.py (pytest also collects it; it has no tests). The dataset
uses tables and fields we do not (contacts, costs, funding, programmes, metadata, extension
fields...), so a round trip through our store shows whether anything is dropped.
"""

from __future__ import annotations

import uuid


def uid(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "other-publisher:" + ":".join(parts)))


def foreign_services() -> list[dict]:
    """Two services from another publisher, using much of HSDS that we do not."""
    tax = {
        "id": uid("tax"),
        "name": "Other taxonomy",
        "description": "Their own.",
        "uri": "https://example.org/tax",
        "version": "2",
        "metadata": [],
    }
    term = {
        "id": uid("term"),
        "code": "BD-1800",
        "name": "Substance use",
        "description": "Drugs and alcohol.",
        "taxonomy": "Other taxonomy",
        "taxonomy_id": tax["id"],
        "taxonomy_detail": tax,
        "language": "en",
    }
    location = {
        "id": uid("loc"),
        "location_type": "physical",
        "name": "Riverside Centre",
        "latitude": 52.41,
        "longitude": -1.51,
        "transportation": "Bus 10",
        "x_parking": {"spaces": 4, "free": True},
        "addresses": [
            {
                "id": uid("addr"),
                "address_1": "1 River Road",
                "city": "Coventry",
                "state_province": "West Midlands",
                "postal_code": "CV1 1AA",
                "country": "GB",
                "address_type": "physical",
            }
        ],
        "accessibility": [{"id": uid("acc"), "description": "Step-free entrance", "details": "Ramp at side door"}],
        "languages": [{"id": uid("lang-loc"), "name": "Polish", "code": "pl"}],
    }
    other_location = {
        "id": uid("loc2"),
        "location_type": "virtual",
        "name": "Online only",
        "url": "https://example.org/chat",
    }
    org = {
        "id": uid("org"),
        "name": "Riverside Trust",
        "description": "A charity.",
        "website": "https://example.org",
        "year_incorporated": 1999,
        "x_registered_charity": "123456",
        "organization_identifiers": [
            {
                "id": uid("orgid"),
                "identifier_scheme": "GB-CHC",
                "identifier_type": "Charity number",
                "identifier": "123456",
            }
        ],
        "funding": [{"id": uid("fund-org"), "source": "Lottery"}],
        "programs": [{"id": uid("prog"), "name": "Recovery programme", "description": "Peer-led."}],
        "locations": [other_location],
    }
    sal_phone = {
        "id": uid("ph-sal"),
        "number": "024 7600 0000",
        "languages": [{"id": uid("lang-ph"), "name": "Urdu", "code": "ur"}],
    }
    return [
        {
            "id": uid("svc1"),
            "name": "Riverside Recovery",
            "status": "active",
            "description": "Peer support.",
            "interpretation_services": "Language Line",
            "wait_time": "2 weeks",
            "accreditations": "CQC",
            "assured_date": "2025-03-01",
            "assurer_email": "data@example.org",
            "last_modified": "2025-03-01T10:00:00Z",
            "minimum_age": 18,
            "x_custom_rating": 4.5,
            "x_tags": ["a", "b"],
            "organization": org,
            "program": org["programs"][0],
            "contacts": [
                {
                    "id": uid("contact"),
                    "name": "Sam",
                    "title": "Lead",
                    "email": "sam@example.org",
                    "phones": [{"id": uid("ph-contact"), "number": "07700 900000"}],
                }
            ],
            "cost_options": [
                {"id": uid("cost"), "option": "Session", "currency": "GBP", "amount": 0, "amount_description": "free"}
            ],
            "funding": [{"id": uid("fund-svc"), "source": "NHS"}],
            "required_documents": [{"id": uid("doc"), "document": "Photo ID"}],
            "service_areas": [{"id": uid("area"), "name": "Coventry", "extent_type": "other"}],
            "languages": [{"id": uid("lang-svc"), "name": "English", "code": "en"}],
            "phones": [{"id": uid("ph-svc"), "number": "0800 000 000", "type": "voice"}],
            "schedules": [
                {"id": uid("sched"), "freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00", "closes_at": "17:00"}
            ],
            "service_at_locations": [
                {
                    "id": uid("sal"),
                    "description": "Main site",
                    "location": location,
                    "phones": [sal_phone],
                    "schedules": [
                        {
                            "id": uid("sched-sal"),
                            "freq": "WEEKLY",
                            "byday": "TU",
                            "opens_at": "10:00",
                            "closes_at": "12:00",
                        }
                    ],
                }
            ],
            "attributes": [
                {
                    "id": uid("attr"),
                    "taxonomy_term_id": term["id"],
                    "link_type": "category",
                    "value": "primary",
                    "taxonomy_term": term,
                    "x_weight": 3,
                }
            ],
            "metadata": [
                {
                    "id": uid("meta"),
                    "last_action_date": "2025-03-01",
                    "last_action_type": "update",
                    "field_name": "name",
                    "previous_value": "Riverside",
                    "replacement_value": "Riverside Recovery",
                    "updated_by": "Ann",
                }
            ],
        },
        {
            "id": uid("svc2"),
            "name": "Riverside Drop-in",
            "status": "temporarily closed",
            "organization": org,
            "organization_id": org["id"],
            "service_at_locations": [{"id": uid("sal2"), "location": location}],
        },
    ]
