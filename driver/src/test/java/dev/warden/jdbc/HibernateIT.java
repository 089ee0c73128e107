package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.warden.testkit.CustomersExample;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.Test;

/** Hibernate ORM, unchanged, on a jdbc:warden: URL: entities persisted encrypted, queried by equality, refused shapes. */
class HibernateIT {

    @Entity
    @Table(name = "customers")
    public static class Customer {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Integer id;
        String name;
        String email;     // bytea in the table: Warden stores the ciphertext, Hibernate sees the string
        String country;

        public Customer() {}

        Customer(String name, String email, String country) {
            this.name = name;
            this.email = email;
            this.country = country;
        }
    }

    /** The same table with a column the analyst may not read ({@code phone}). */
    @Entity
    @Table(name = "customers")
    public static class Contact {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Integer id;
        String name;
        String email;
        String phone;

        public Contact() {}
    }

    private static SessionFactory sessions(CustomersExample db, String role, String purpose) {
        return sessions(db, CustomersExample.DIRECTORY, role, purpose, Customer.class);
    }

    private static SessionFactory sessions(CustomersExample db, java.nio.file.Path policyDirectory, String role,
                                           String purpose, Class<?> entity) {
        Properties warden = CustomersExample.properties(policyDirectory, role, purpose);
        Configuration c = new Configuration().addAnnotatedClass(entity)
                .setProperty("hibernate.connection.url", db.wardenUrl())
                .setProperty("hibernate.connection.pool_size", "2")
                .setProperty("hibernate.hbm2ddl.auto", "none");
        warden.forEach((k, v) -> c.setProperty("hibernate.connection." + k, (String) v));
        return c.buildSessionFactory();
    }

    @Test
    void entitiesArePersistedEncryptedAndQueriedByEquality() throws SQLException {
        CustomersExample db = CustomersExample.create();
        try (SessionFactory support = sessions(db, "support", "customer-service")) {
            support.inTransaction(s -> {
                s.persist(new Customer("Hana", "hana@example.com", "JP"));
                s.persist(new Customer("Ivan", "ivan@example.com", "HK"));
            });
            Customer found = support.fromSession(s -> s.createSelectionQuery(
                    "from HibernateIT$Customer where email = :email", Customer.class)
                    .setParameter("email", "ivan@example.com").getSingleResult());
            assertEquals("Ivan", found.name);
            assertNotNull(found.id);
            List<String> emails = support.fromSession(s -> s.createSelectionQuery(
                    "select c.email from HibernateIT$Customer c where c.country = 'JP'", String.class).getResultList());
            assertEquals(List.of("hana@example.com"), emails);
            RuntimeException refused = assertThrows(RuntimeException.class, () -> support.fromSession(s -> s
                    .createSelectionQuery("from HibernateIT$Customer order by lower(email)", Customer.class).getResultList()));
            Throwable cause = refused;
            while (!(cause instanceof SQLException) && cause.getCause() != null) cause = cause.getCause();
            assertEquals("0A000", ((SQLException) cause).getSQLState());
        }
        try (SessionFactory analyst = sessions(db, "analyst", null)) {
            Customer masked = analyst.fromSession(s -> s.createSelectionQuery(
                    "from HibernateIT$Customer where name = 'Hana'", Customer.class).getSingleResult());
            assertEquals("h***@example.com", masked.email);
        }
        try (Connection raw = db.raw(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT encode(email, 'escape') FROM customers")) {
            while (rs.next()) assertFalse(rs.getString(1).contains("@example.com"), "plaintext at rest");
        }
    }

    @Test
    void underDeniedColumnsNullANarrowRoleLoadsEntitiesWithTheColumnNull() throws SQLException {
        CustomersExample db = CustomersExample.create();
        java.nio.file.Path dir = CustomersExample.newPolicyDirectoryWith("keyset: demo-keyset.json\n",
                "keyset: demo-keyset.json\ndenied-columns: null\n");
        int id;
        try (SessionFactory support = sessions(db, dir, "support", "customer-service", Contact.class)) {
            Contact jo = new Contact();
            jo.name = "Jo";
            jo.email = "jo@example.com";
            jo.phone = "+85290001111";
            support.inTransaction(s -> s.persist(jo));
            id = jo.id;
        }
        try (SessionFactory analyst = sessions(db, dir, "analyst", null, Contact.class)) {
            Contact loaded = analyst.fromSession(s -> s.find(Contact.class, id));
            assertEquals("Jo", loaded.name);
            assertEquals("j*@example.com", loaded.email);
            assertEquals(null, loaded.phone, "a column the role may not read loads as null");
            List<Contact> all = analyst.fromSession(s -> s.createSelectionQuery(
                    "from HibernateIT$Contact where name = 'Jo'", Contact.class).getResultList());
            assertEquals(1, all.size());
            assertEquals(null, all.get(0).phone);
        }
        try (SessionFactory analyst = sessions(db, CustomersExample.DIRECTORY, "analyst", null, Contact.class)) {
            RuntimeException refused = assertThrows(RuntimeException.class,
                    () -> analyst.fromSession(s -> s.find(Contact.class, id)));
            Throwable cause = refused;
            while (!(cause instanceof SQLException) && cause.getCause() != null) cause = cause.getCause();
            assertEquals("42501", ((SQLException) cause).getSQLState(), "the default refuses the load");
        }
    }
}
