package dev.warden.spring.boot.shop;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The smallest Spring Boot application with a DataSource: spring-boot-starter-jdbc and the Warden starter on
 * its class path, nothing of Warden in its code. Its own package, so that component scanning sees nothing else.
 */
@SpringBootApplication
public class ShopApplication {
}
