package dev.warden.crypto;

import java.lang.reflect.InvocationTargetException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The labels of the tokens present in a PKCS#11 module's slots, for {@code pkcs11:token=LABEL}.
 *
 * <p>Why reflection: the JDK's SunPKCS11 provider chooses a token only by slot id or slot-list index, and the
 * one public-API way to a token's label goes through its internal wrapper ({@code sun.security.pkcs11.wrapper},
 * not exported). This class uses that wrapper when the JVM exports it to Warden ({@code java -jar warden.jar}
 * does, through its manifest; an application adds {@code --add-exports
 * jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED}) and otherwise says so and points at
 * {@code slot-id=}, which needs nothing. The wrapper keeps one initialised module per library path, shared
 * with the SunPKCS11 providers later configured for the same path. Called under {@link Pkcs11Tokens}' lock.
 */
final class Pkcs11TokenLabels {
    static final String WRAPPER_PACKAGE = "sun.security.pkcs11.wrapper";
    static final String ADD_EXPORTS = "--add-exports jdk.crypto.cryptoki/" + WRAPPER_PACKAGE + "=ALL-UNNAMED";
    private static final long CKF_OS_LOCKING_OK = 0x2L;

    private Pkcs11TokenLabels() {}

    /** Slot id to token label (trailing blanks removed) for every slot holding a token, in the module's order. */
    static Map<Long, String> of(Pkcs11Uri uri) throws KeyException {
        Class<?> pkcs11;
        try {
            pkcs11 = Class.forName(WRAPPER_PACKAGE + ".PKCS11");
        } catch (ClassNotFoundException e) {
            throw new KeyException("master key " + uri + ": this JVM has no SunPKCS11 provider (module"
                    + " jdk.crypto.cryptoki)");
        }
        if (!pkcs11.getModule().isExported(WRAPPER_PACKAGE, Pkcs11TokenLabels.class.getModule())) {
            throw new KeyException("master key " + uri + ": finding a token by its label (token=) needs the JVM"
                    + " option " + ADD_EXPORTS + "; or choose the token with slot-id= instead (softhsm2-util"
                    + " --show-slots or pkcs11-tool -L lists the slot ids)");
        }
        try {
            Class<?> initArgsClass = Class.forName(WRAPPER_PACKAGE + ".CK_C_INITIALIZE_ARGS");
            Object initArgs = initArgsClass.getConstructor().newInstance();
            // as SunPKCS11 initialises a module: the library may use the OS's locks (it is called from many threads)
            initArgsClass.getField("flags").setLong(initArgs, CKF_OS_LOCKING_OK);
            Object module = pkcs11.getMethod("getInstance", String.class, String.class, initArgsClass, boolean.class)
                    .invoke(null, uri.modulePath(), "C_GetFunctionList", initArgs, false);
            long[] slots = (long[]) pkcs11.getMethod("C_GetSlotList", boolean.class).invoke(module, true);
            Map<Long, String> labels = new LinkedHashMap<>();
            for (long slot : slots) {
                Object info = pkcs11.getMethod("C_GetTokenInfo", long.class).invoke(module, slot);
                labels.put(slot, new String((char[]) info.getClass().getField("label").get(info)).stripTrailing());
            }
            return labels;
        } catch (InvocationTargetException e) {
            throw new KeyException("master key " + uri + ": cannot list the module's tokens ("
                    + Pkcs11Tokens.reason(e.getCause()) + ")");
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new KeyException("master key " + uri + ": cannot list the module's tokens through SunPKCS11's"
                    + " wrapper (" + e.getClass().getSimpleName() + "); choose the token with slot-id= instead");
        }
    }
}
