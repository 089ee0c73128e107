package dev.warden.sql;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.parser.Node;
import net.sf.jsqlparser.parser.Token;

/**
 * Finds the children of a JSqlParser node by reflection over its fields, so that no child is ever missed
 * because a visitor or a getter forgot it (JSqlParser's own visitor adapters skip some: the arguments of
 * {@code substring(x FROM 1)} live in a field they do not visit). Parser bookkeeping (AST nodes, tokens) and
 * plain values (strings, numbers, enums) are not children. Thread-safe: field lists are cached per class.
 */
final class NodeChildren {

    private static final ClassValue<Field[]> FIELDS = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            List<Field> out = new ArrayList<>();
            for (Class<?> k = type; k != null && isParserClass(k); k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || !mayHoldNode(f.getType())) continue;
                    f.setAccessible(true);
                    out.add(f);
                }
            }
            return out.toArray(new Field[0]);
        }
    };

    private NodeChildren() {
    }

    static boolean isParserClass(Class<?> k) {
        return k.getName().startsWith("net.sf.jsqlparser.");
    }

    private static boolean mayHoldNode(Class<?> t) {
        return !(t.isPrimitive() || t == String.class || Number.class.isAssignableFrom(t) || t == Boolean.class
                || t == Character.class || t.isEnum() || Node.class.isAssignableFrom(t) || Token.class.isAssignableFrom(t));
    }

    /**
     * Calls {@code onExpression} for each expression directly below {@code node}, looking through objects that
     * are not expressions (window definitions, ORDER BY elements, CASE branches' holders...) and collections.
     * Fields named in {@code skip} (of {@code node} itself) are left out: the caller handles them.
     */
    static void expressions(Object node, Consumer<Expression> onExpression, String... skip) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(node);
        for (Field f : FIELDS.get(node.getClass())) {
            if (skip.length > 0 && contains(skip, f.getName())) continue;
            below(read(f, node), onExpression, seen);
        }
        if (node instanceof Collection<?> c) {
            for (Object o : c) below(o, onExpression, seen);
        }
    }

    private static void below(Object value, Consumer<Expression> onExpression, Set<Object> seen) {
        if (value == null || !seen.add(value)) return;
        if (value instanceof Expression e) {
            onExpression.accept(e);
            return;
        }
        if (value instanceof Collection<?> c) {
            for (Object o : c) below(o, onExpression, seen);
            if (!isParserClass(value.getClass())) return;
        } else if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> entry : m.entrySet()) {
                below(entry.getKey(), onExpression, seen);
                below(entry.getValue(), onExpression, seen);
            }
            return;
        } else if (value instanceof Map.Entry<?, ?> entry) {
            below(entry.getKey(), onExpression, seen);
            below(entry.getValue(), onExpression, seen);
            return;
        } else if (value instanceof Object[] array) {
            for (Object o : array) below(o, onExpression, seen);
            return;
        }
        if (!isParserClass(value.getClass())) return;
        for (Field f : FIELDS.get(value.getClass())) below(read(f, value), onExpression, seen);
    }

    /** Calls {@code onNode} for every parser object reachable from {@code root} (root included), once each. */
    static void everyNode(Object root, Consumer<Object> onNode) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Object> stack = new ArrayList<>();
        stack.add(root);
        while (!stack.isEmpty()) {
            Object value = stack.remove(stack.size() - 1);
            if (value == null || !seen.add(value)) continue;
            if (value instanceof Collection<?> c) {
                stack.addAll(c);
            } else if (value instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> entry : m.entrySet()) {
                    stack.add(entry.getKey());
                    stack.add(entry.getValue());
                }
                continue;
            } else if (value instanceof Map.Entry<?, ?> entry) {
                stack.add(entry.getKey());
                stack.add(entry.getValue());
                continue;
            } else if (value instanceof Object[] array) {
                Collections.addAll(stack, array);
                continue;
            }
            if (!isParserClass(value.getClass())) continue;
            onNode.accept(value);
            for (Field f : FIELDS.get(value.getClass())) stack.add(read(f, value));
        }
    }

    private static Object read(Field f, Object owner) {
        try {
            return f.get(owner);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + f, e);
        }
    }

    private static boolean contains(String[] names, String name) {
        for (String n : names) {
            if (n.equals(name)) return true;
        }
        return false;
    }
}
