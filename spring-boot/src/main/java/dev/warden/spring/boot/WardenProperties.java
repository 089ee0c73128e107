package dev.warden.spring.boot;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code warden.*} application properties: the same settings as the driver's {@code warden.*} connection
 * properties ({@code warden.masterKey} is {@code warden.master-key} here, as Boot spells properties; the
 * relaxed binding accepts both). The field comments become the IDE's documentation of each property.
 * Mutable JavaBean, as Boot binds it; read once at start-up.
 */
@ConfigurationProperties(prefix = "warden")
public class WardenProperties {

    /** Whether to wrap the application's DataSource with Warden when warden.policy is set. */
    private boolean enabled = true;

    /**
     * The policy: a file path or classpath:resource. Setting it turns the auto-configuration on; the policy,
     * its keyset and the master key are opened at start-up and any error stops the application.
     */
    private String policy;

    /** The policy role the application acts as (one of the policy's roles). Required with warden.policy. */
    private String role;

    /** The purpose the application's sessions act for, one the role declares; none when unset. */
    private String purpose;

    /**
     * Where the master key that opens the keyset is read: env:NAME or file:PATH. Default env:WARDEN_MASTER_KEY.
     */
    private String masterKey;

    /**
     * Names of the DataSource beans to wrap. Empty (the default): every DataSource bean. Name them when the
     * application has DataSources Warden must not wrap, or one that routes to others (each would be wrapped).
     */
    private List<String> dataSourceBeans = new ArrayList<>();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getPolicy() {
        return policy;
    }

    public void setPolicy(String policy) {
        this.policy = policy;
    }

    public String getRole() {
        return role;
    }

    public void setRole(String role) {
        this.role = role;
    }

    public String getPurpose() {
        return purpose;
    }

    public void setPurpose(String purpose) {
        this.purpose = purpose;
    }

    public String getMasterKey() {
        return masterKey;
    }

    public void setMasterKey(String masterKey) {
        this.masterKey = masterKey;
    }

    public List<String> getDataSourceBeans() {
        return dataSourceBeans;
    }

    public void setDataSourceBeans(List<String> dataSourceBeans) {
        this.dataSourceBeans = dataSourceBeans;
    }
}
