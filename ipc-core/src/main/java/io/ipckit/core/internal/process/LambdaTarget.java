package io.ipckit.core.internal.process;

import io.ipckit.core.internal.kit.LengthPrefixedText;
import io.ipckit.core.process.SerializableRunnable;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Base64;

/**
 * A child JVM's target that is a lambda capturing only strings, boxed primitives and nulls, sent without Java
 * serialization: its {@link SerializedLambda}'s fields in a compact form, from which the child asks the capturing
 * class to rebuild it ({@code $deserializeLambda$}, as {@code SerializedLambda.readResolve} does). A starting JVM's
 * first {@code ObjectInputStream} costs it about 25 ms here (the serialization filter's configuration), a third of
 * such a child's start; a target of any other kind goes through Java serialization as before.
 * <p>
 * Stateless and thread-safe.
 */
public final class LambdaTarget
{
    /** What starts an encoded lambda target in the file the child reads its target from. */
    public static final String PREFIX = "lambda:";
    private static final byte NULL = 0;
    private static final byte STRING = 1;
    private static final byte INT = 2;
    private static final byte LONG = 3;
    private static final byte BOOLEAN = 4;
    private static final byte DOUBLE = 5;
    private static final byte FLOAT = 6;
    private static final byte SHORT = 7;
    private static final byte BYTE = 8;
    private static final byte CHAR = 9;
    private static final String DESERIALIZE = "$deserializeLambda$";

    private LambdaTarget()
    {
    }

    /**
     * @param target a child's target.
     * @return it encoded (starting with {@link #PREFIX}), or null when it is not a lambda, captures a value of another
     * kind, or its capturing class does not let this module rebuild it (a named module that does not open it).
     */
    public static String encode(final SerializableRunnable target)
    {
        final SerializedLambda lambda = serializedForm(target);
        if (lambda == null || rebuilder(lambda.getCapturingClass(), target.getClass().getClassLoader()) == null)
        {
            return null;
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            LengthPrefixedText.write(out, lambda.getCapturingClass());
            LengthPrefixedText.write(out, lambda.getFunctionalInterfaceClass());
            LengthPrefixedText.write(out, lambda.getFunctionalInterfaceMethodName());
            LengthPrefixedText.write(out, lambda.getFunctionalInterfaceMethodSignature());
            out.writeInt(lambda.getImplMethodKind());
            LengthPrefixedText.write(out, lambda.getImplClass());
            LengthPrefixedText.write(out, lambda.getImplMethodName());
            LengthPrefixedText.write(out, lambda.getImplMethodSignature());
            LengthPrefixedText.write(out, lambda.getInstantiatedMethodType());
            out.writeInt(lambda.getCapturedArgCount());
            for (int i = 0; i < lambda.getCapturedArgCount(); i++)
            {
                if (!writeValue(out, lambda.getCapturedArg(i)))
                {
                    return null;
                }
            }
        }
        catch (final IOException ex)
        {
            return null; // not reached with a byte array; Java serialization then says what is wrong
        }
        return PREFIX + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /**
     * Rebuilds a target {@link #encode encoded} by the parent.
     *
     * @param encoded the text, starting with {@link #PREFIX}.
     * @return the lambda.
     * @throws IllegalArgumentException when the text is not such a target or the capturing class refuses it.
     * @throws ClassNotFoundException   when the capturing class is not on this JVM's class path.
     */
    public static Runnable decode(final String encoded) throws ClassNotFoundException
    {
        if (!encoded.startsWith(PREFIX))
        {
            throw new IllegalArgumentException("not a lambda target: " + encoded);
        }
        final SerializedLambda lambda;
        final Method rebuild;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(
            Base64.getDecoder().decode(encoded.substring(PREFIX.length())))))
        {
            final String capturingName = LengthPrefixedText.read(in);
            final Class<?> capturing = Class.forName(capturingName.replace('/', '.'), false,
                Thread.currentThread().getContextClassLoader());
            rebuild = rebuilder(capturingName, capturing.getClassLoader());
            final String functionalInterface = LengthPrefixedText.read(in);
            final String functionalMethod = LengthPrefixedText.read(in);
            final String functionalSignature = LengthPrefixedText.read(in);
            final int implKind = in.readInt();
            final String implClass = LengthPrefixedText.read(in);
            final String implMethod = LengthPrefixedText.read(in);
            final String implSignature = LengthPrefixedText.read(in);
            final String instantiatedType = LengthPrefixedText.read(in);
            final int count = in.readInt();
            if (count < 0 || count > in.available())
            {
                throw new IOException(count + " captured values");
            }
            final Object[] captured = new Object[count];
            for (int i = 0; i < count; i++)
            {
                captured[i] = readValue(in);
            }
            lambda = new SerializedLambda(capturing, functionalInterface, functionalMethod, functionalSignature,
                implKind, implClass, implMethod, implSignature, instantiatedType, captured);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("a lambda target that does not decode: " + ex, ex);
        }
        if (rebuild == null)
        {
            throw new IllegalArgumentException(lambda.getCapturingClass() + " does not let its lambdas be rebuilt");
        }
        try
        {
            return (Runnable)rebuild.invoke(null, lambda);
        }
        catch (final IllegalAccessException | InvocationTargetException | ClassCastException ex)
        {
            throw new IllegalArgumentException("the lambda target of " + lambda.getCapturingClass() +
                " could not be rebuilt: " + (ex instanceof InvocationTargetException target ? target.getCause() : ex),
                ex);
        }
    }

    /**
     * @return the lambda's serialized form, or null when the target is not a serializable lambda.
     */
    private static SerializedLambda serializedForm(final SerializableRunnable target)
    {
        if (!target.getClass().isSynthetic() && !target.getClass().isHidden())
        {
            return null;
        }
        try
        {
            final Method writeReplace = target.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            return writeReplace.invoke(target) instanceof SerializedLambda lambda ? lambda : null;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return null; // not a lambda, or one this module may not look into
        }
    }

    /**
     * @return the capturing class's {@code $deserializeLambda$}, made accessible, or null when there is none or this
     * module may not call it.
     */
    private static Method rebuilder(final String capturingClass, final ClassLoader loader)
    {
        try
        {
            final Class<?> capturing = Class.forName(capturingClass.replace('/', '.'), false, loader);
            final Method rebuild = capturing.getDeclaredMethod(DESERIALIZE, SerializedLambda.class);
            rebuild.setAccessible(true);
            return rebuild;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return null;
        }
    }

    private static boolean writeValue(final DataOutputStream out, final Object value) throws IOException
    {
        switch (value)
        {
            case null -> out.writeByte(NULL);
            case String text ->
            {
                out.writeByte(STRING);
                LengthPrefixedText.write(out, text);
            }
            case Integer number ->
            {
                out.writeByte(INT);
                out.writeInt(number);
            }
            case Long number ->
            {
                out.writeByte(LONG);
                out.writeLong(number);
            }
            case Boolean flag ->
            {
                out.writeByte(BOOLEAN);
                out.writeBoolean(flag);
            }
            case Double number ->
            {
                out.writeByte(DOUBLE);
                out.writeDouble(number);
            }
            case Float number ->
            {
                out.writeByte(FLOAT);
                out.writeFloat(number);
            }
            case Short number ->
            {
                out.writeByte(SHORT);
                out.writeShort(number);
            }
            case Byte number ->
            {
                out.writeByte(BYTE);
                out.writeByte(number);
            }
            case Character character ->
            {
                out.writeByte(CHAR);
                out.writeChar(character);
            }
            default ->
            {
                return false;
            }
        }
        return true;
    }

    private static Object readValue(final DataInputStream in) throws IOException
    {
        final byte type = in.readByte();
        return switch (type)
        {
            case NULL -> null;
            case STRING -> LengthPrefixedText.read(in);
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case BOOLEAN -> in.readBoolean();
            case DOUBLE -> in.readDouble();
            case FLOAT -> in.readFloat();
            case SHORT -> in.readShort();
            case BYTE -> in.readByte();
            case CHAR -> in.readChar();
            default -> throw new IOException("a captured value of unknown type " + type);
        };
    }
}
