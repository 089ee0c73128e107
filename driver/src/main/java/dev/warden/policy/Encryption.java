package dev.warden.policy;

/** How a column is stored: deterministic (equality search), randomized, or not encrypted (rules only). */
public enum Encryption { DETERMINISTIC, RANDOMIZED, NONE }
