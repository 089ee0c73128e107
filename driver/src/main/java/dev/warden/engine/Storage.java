package dev.warden.engine;

/** How ciphertext sits in the database column: raw bytes in bytea, base64 in a text column. */
enum Storage {
    BYTEA, BASE64_TEXT;

    static Storage forColumnType(String typeName) {
        if (typeName == null) return null;
        return switch (typeName.toLowerCase(java.util.Locale.ROOT)) {
            case "bytea", "binary", "varbinary", "binary varying", "blob", "binary large object" -> BYTEA;
            case "text", "varchar", "character varying", "bpchar", "character", "char", "clob",
                 "character large object" -> BASE64_TEXT;
            default -> null;
        };
    }
}
