package dev.warden.sql;

/** The broad kind of a statement, for the policy and the audit trail. */
public enum StatementKind { SELECT, INSERT, UPDATE, DELETE, MERGE, DDL, TRUNCATE, COPY, TRANSACTION, SET, OTHER }
