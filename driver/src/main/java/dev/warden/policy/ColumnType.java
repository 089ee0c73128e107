package dev.warden.policy;

/** The logical type of a protected column's plaintext, for typed getters and metadata. */
public enum ColumnType { TEXT, INTEGER, BIGINT, NUMERIC, DATE, TIMESTAMP, BYTES }
