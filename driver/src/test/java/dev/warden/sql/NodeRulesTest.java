package dev.warden.sql;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.SelectItem;
import org.junit.jupiter.api.Test;

/**
 * Fails the build when JSqlParser (after an upgrade) has a node type the analyzer has no explicit verdict on:
 * every concrete {@code Expression}, {@code Statement}, {@code FromItem} and {@code SelectItem} class in the
 * jar must be handled or explicitly refused by {@link NodeRules}. The fail-closed idea of DriverSurfaceTest,
 * applied to the parser.
 */
class NodeRulesTest {

    private static List<Class<?>> implementations(Class<?> root) throws Exception {
        File jar;
        try {
            jar = new File(Expression.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<Class<?>> out = new ArrayList<>();
        try (JarFile jf = new JarFile(jar)) {
            for (JarEntry e : Collections.list(jf.entries())) {
                String name = e.getName();
                if (!name.endsWith(".class") || name.matches(".*\\$[0-9].*")) continue;
                Class<?> c;
                try {
                    c = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
                            NodeRulesTest.class.getClassLoader());
                } catch (Throwable t) {
                    continue;  // a class whose optional dependencies are absent cannot appear in a parse
                }
                if (root.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())) out.add(c);
            }
        }
        assertTrue(out.size() > 0, "no " + root.getSimpleName() + " found in " + jar);
        return out;
    }

    @Test
    void everyExpressionTypeHasARule() throws Exception {
        List<String> missing = new ArrayList<>();
        for (Class<?> c : implementations(Expression.class)) {
            if (!NodeRules.namesExpression(c)) missing.add(c.getName());
        }
        assertTrue(missing.isEmpty(), () -> "JSqlParser expression types without a rule in NodeRules: " + missing);
    }

    @Test
    void everyStatementTypeIsHandledOrRefused() throws Exception {
        List<String> missing = new ArrayList<>();
        for (Class<?> c : implementations(Statement.class)) {
            if (!NodeRules.HANDLED_STATEMENTS.contains(c) && !NodeRules.REFUSED_STATEMENTS.contains(c)) missing.add(c.getName());
        }
        assertTrue(missing.isEmpty(), () -> "JSqlParser statement types without a verdict in NodeRules: " + missing);
    }

    @Test
    void everyFromItemTypeIsHandledOrRefused() throws Exception {
        List<String> missing = new ArrayList<>();
        for (Class<?> c : implementations(FromItem.class)) {
            if (!NodeRules.HANDLED_FROM_ITEMS.contains(c) && !NodeRules.REFUSED_FROM_ITEMS.contains(c)) missing.add(c.getName());
        }
        assertTrue(missing.isEmpty(), () -> "JSqlParser FROM item types without a verdict in NodeRules: " + missing);
    }

    @Test
    void everySelectItemTypeIsHandled() throws Exception {
        List<String> missing = new ArrayList<>();
        for (Class<?> c : implementations(SelectItem.class)) {
            if (!NodeRules.HANDLED_SELECT_ITEMS.contains(c)) missing.add(c.getName());
        }
        assertTrue(missing.isEmpty(), () -> "JSqlParser select item types without a verdict in NodeRules: " + missing);
    }

    @Test
    void refusedExpressionTypesAreProblemsWhereverTheyAppear() {
        // a node type without a rule anywhere in the tree (here in the select list) is refused, with its name
        Plan p = new SqlAnalyzer().analyze(SqlLexer.lex("select @v from t"), t -> List.of("id"));
        assertTrue(p.problems().stream().anyMatch(s -> s.contains("UserVariable")), p.problems()::toString);
    }
}
