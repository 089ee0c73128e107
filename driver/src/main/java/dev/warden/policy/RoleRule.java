package dev.warden.policy;

import java.util.Set;

/** A role of the policy and the purposes it may declare (empty: it may declare none). */
public record RoleRule(String name, Set<String> purposes) {}
