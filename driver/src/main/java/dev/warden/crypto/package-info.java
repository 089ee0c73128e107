/**
 * Keys and ciphers: the master key ({@link dev.warden.crypto.MasterKey}) that opens the deployment's
 * keyset file ({@link dev.warden.crypto.WardenKeyset}), per-column randomized and deterministic ciphers
 * ({@link dev.warden.crypto.ColumnCipher}) whose associated data binds each ciphertext to its column, and
 * the typed value codec ({@link dev.warden.crypto.ValueCodec}) that gives every plaintext one canonical byte
 * form. Built on Google Tink; imports no other Warden component.
 */
package dev.warden.crypto;
