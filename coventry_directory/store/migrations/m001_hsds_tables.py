"""Directory schema version 1: the HSDS 3.0 tables and fields, their indexes, directory_info.

Frozen: this is the schema as it was when version 1 shipped. Never edit it; a change is a
new migration module. (Today's column lists in ``store/schema.py`` may grow; this must not.)
"""

from __future__ import annotations

from sqlite_utils import Database

from coventry_directory.store.migrations.statements import run_statements

NAME = "m001_hsds_tables"

SQL = """
CREATE TABLE [organization] (
    id TEXT PRIMARY KEY NOT NULL, [name] TEXT, [alternate_name] TEXT, [description] TEXT, [email] TEXT,
    [website] TEXT, [tax_status] TEXT, [tax_id] TEXT, [year_incorporated] REAL, [legal_status] TEXT,
    [logo] TEXT, [uri] TEXT, [parent_organization_id] TEXT
);
CREATE TABLE [program] (
    id TEXT PRIMARY KEY NOT NULL, [organization_id] TEXT, [name] TEXT, [alternate_name] TEXT,
    [description] TEXT
);
CREATE TABLE [service] (
    id TEXT PRIMARY KEY NOT NULL, [organization_id] TEXT, [program_id] TEXT, [name] TEXT,
    [alternate_name] TEXT, [description] TEXT, [url] TEXT, [email] TEXT, [status] TEXT,
    [interpretation_services] TEXT, [application_process] TEXT, [fees_description] TEXT, [wait_time]
    TEXT, [fees] TEXT, [accreditations] TEXT, [eligibility_description] TEXT, [minimum_age] REAL,
    [maximum_age] REAL, [assured_date] TEXT, [assurer_email] TEXT, [licenses] TEXT, [alert] TEXT,
    [last_modified] TEXT
);
CREATE TABLE [location] (
    id TEXT PRIMARY KEY NOT NULL, [location_type] TEXT, [url] TEXT, [organization_id] TEXT, [name] TEXT,
    [alternate_name] TEXT, [description] TEXT, [transportation] TEXT, [latitude] REAL, [longitude] REAL,
    [external_identifier] TEXT, [external_identifier_type] TEXT
);
CREATE TABLE [service_at_location] (
    id TEXT PRIMARY KEY NOT NULL, [service_id] TEXT, [location_id] TEXT, [description] TEXT
);
CREATE TABLE [address] (
    id TEXT PRIMARY KEY NOT NULL, [location_id] TEXT, [attention] TEXT, [address_1] TEXT, [address_2]
    TEXT, [city] TEXT, [region] TEXT, [state_province] TEXT, [postal_code] TEXT, [country] TEXT,
    [address_type] TEXT
);
CREATE TABLE [contact] (
    id TEXT PRIMARY KEY NOT NULL, [organization_id] TEXT, [service_id] TEXT, [service_at_location_id]
    TEXT, [location_id] TEXT, [name] TEXT, [title] TEXT, [department] TEXT, [email] TEXT
);
CREATE TABLE [phone] (
    id TEXT PRIMARY KEY NOT NULL, [location_id] TEXT, [service_id] TEXT, [organization_id] TEXT,
    [contact_id] TEXT, [service_at_location_id] TEXT, [number] TEXT, [extension] REAL, [type] TEXT,
    [description] TEXT
);
CREATE TABLE [schedule] (
    id TEXT PRIMARY KEY NOT NULL, [service_id] TEXT, [location_id] TEXT, [service_at_location_id] TEXT,
    [valid_from] TEXT, [valid_to] TEXT, [dtstart] TEXT, [timezone] REAL, [until] TEXT, [count] REAL,
    [wkst] TEXT, [freq] TEXT, [interval] REAL, [byday] TEXT, [byweekno] TEXT, [bymonthday] TEXT,
    [byyearday] TEXT, [description] TEXT, [opens_at] TEXT, [closes_at] TEXT, [schedule_link] TEXT,
    [attending_type] TEXT, [notes] TEXT
);
CREATE TABLE [service_area] (
    id TEXT PRIMARY KEY NOT NULL, [service_id] TEXT, [name] TEXT, [description] TEXT, [extent] TEXT,
    [extent_type] TEXT, [uri] TEXT
);
CREATE TABLE [language] (
    id TEXT PRIMARY KEY NOT NULL, [service_id] TEXT, [location_id] TEXT, [phone_id] TEXT, [name] TEXT,
    [code] TEXT, [note] TEXT
);
CREATE TABLE [accessibility] (
    id TEXT PRIMARY KEY NOT NULL, [location_id] TEXT, [description] TEXT, [details] TEXT, [url] TEXT
);
CREATE TABLE [cost_option] (
    id TEXT PRIMARY KEY NOT NULL, [service_id] TEXT, [valid_from] TEXT, [valid_to] TEXT, [option] TEXT,
    [currency] TEXT, [amount] REAL, [amount_description] TEXT
);
CREATE TABLE [funding] (
    id TEXT PRIMARY KEY NOT NULL, [organization_id] TEXT, [service_id] TEXT, [source] TEXT
);
CREATE TABLE [organization_identifier] (
    id TEXT PRIMARY KEY NOT NULL, [organization_id] TEXT, [identifier_scheme] TEXT, [identifier_type]
    TEXT, [identifier] TEXT
);
CREATE TABLE [required_document] (
    id TEXT PRIMARY KEY NOT NULL, [service_id] TEXT, [document] TEXT, [uri] TEXT
);
CREATE TABLE [taxonomy] (
    id TEXT PRIMARY KEY NOT NULL, [name] TEXT, [description] TEXT, [uri] TEXT, [version] TEXT
);
CREATE TABLE [taxonomy_term] (
    id TEXT PRIMARY KEY NOT NULL, [code] TEXT, [name] TEXT, [description] TEXT, [parent_id] TEXT,
    [taxonomy] TEXT, [language] TEXT, [taxonomy_id] TEXT, [term_uri] TEXT
);
CREATE TABLE [attribute] (
    id TEXT PRIMARY KEY NOT NULL, [link_id] TEXT, [taxonomy_term_id] TEXT, [link_type] TEXT,
    [link_entity] TEXT, [value] TEXT
);
CREATE TABLE [metadata] (
    id TEXT PRIMARY KEY NOT NULL, [resource_id] TEXT, [resource_type] TEXT, [last_action_date] TEXT,
    [last_action_type] TEXT, [field_name] TEXT, [previous_value] TEXT, [replacement_value] TEXT,
    [updated_by] TEXT
);
CREATE TABLE [meta_table_description] (
    id TEXT PRIMARY KEY NOT NULL, [name] TEXT, [language] TEXT, [character_set] TEXT
);
CREATE INDEX [idx_service_organization_id] ON [service] ([organization_id]);
CREATE INDEX [idx_service_at_location_service_id] ON [service_at_location] ([service_id]);
CREATE INDEX [idx_service_at_location_location_id] ON [service_at_location] ([location_id]);
CREATE INDEX [idx_address_location_id] ON [address] ([location_id]);
CREATE INDEX [idx_phone_service_id] ON [phone] ([service_id]);
CREATE INDEX [idx_phone_location_id] ON [phone] ([location_id]);
CREATE INDEX [idx_schedule_service_id] ON [schedule] ([service_id]);
CREATE INDEX [idx_service_area_service_id] ON [service_area] ([service_id]);
CREATE INDEX [idx_language_service_id] ON [language] ([service_id]);
CREATE INDEX [idx_attribute_link_id] ON [attribute] ([link_id]);
CREATE INDEX [idx_attribute_taxonomy_term_id] ON [attribute] ([taxonomy_term_id]);
CREATE INDEX [idx_taxonomy_term_taxonomy_code] ON [taxonomy_term] ([taxonomy], [code]);
CREATE TABLE directory_info (key TEXT PRIMARY KEY NOT NULL, value TEXT);
"""


def apply(db: Database) -> None:
    """Create the version 1 tables."""
    run_statements(db, SQL)
