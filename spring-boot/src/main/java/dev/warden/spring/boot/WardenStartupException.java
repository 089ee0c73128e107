package dev.warden.spring.boot;

import org.springframework.beans.factory.BeanInitializationException;

/**
 * Warden's settings could not be applied to a DataSource bean: the policy does not load (its message names the
 * file and line), the keyset or master key does not open, the role or purpose is not the policy's. Stops the
 * application; {@link WardenStartupFailureAnalyzer} reports it.
 */
public class WardenStartupException extends BeanInitializationException {

    private final String beanName;

    WardenStartupException(String beanName, String message, Throwable cause) {
        super(message, cause);
        this.beanName = beanName;
    }

    /** The DataSource bean Warden was wrapping. */
    public String getBeanName() {
        return beanName;
    }
}
