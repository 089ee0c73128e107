package dev.warden.crypto;

/** The plaintext types {@link ValueCodec} converts to and from bytes. */
public enum LogicalType { TEXT, INTEGER, BIGINT, NUMERIC, DATE, TIMESTAMP, BYTES }
