package dev.warden.policy;

/** How a role may see a protected column's value. */
public enum Access { PLAINTEXT, MASKED, DENIED }
