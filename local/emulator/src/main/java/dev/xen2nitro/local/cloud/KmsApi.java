package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.GenerateMacRequest;
import software.amazon.awssdk.services.kms.model.GenerateMacResponse;
import software.amazon.awssdk.services.kms.model.VerifyMacRequest;
import software.amazon.awssdk.services.kms.model.VerifyMacResponse;

/**
 * The HMAC operations of KMS: GenerateMac and VerifyMac with an HMAC_256 key and HMAC_SHA_256 (RFC 2104), the key
 * material kept in the local cloud as KMS keeps it in its HSMs (KMS API Reference, GenerateMac and VerifyMac: a message
 * of 1 to 4096 bytes; a MAC that does not verify fails with KMSInvalidMacException). Who may call them is the key
 * policy's to say ({@code AccessControl}).
 */
public final class KmsApi {
    private final Cloud cloud;

    public KmsApi(Cloud cloud) {
        this.cloud = cloud;
    }

    public GenerateMacResponse generateMac(GenerateMacRequest r) {
        Cloud.KmsKey key = macKey(r.keyId(), r.macAlgorithmAsString(), "GenerateMac");
        byte[] mac = hmac(key, message(r.message()));
        return GenerateMacResponse.builder().keyId(key.arn).macAlgorithm(r.macAlgorithmAsString()).mac(SdkBytes.fromByteArray(mac)).build();
    }

    public VerifyMacResponse verifyMac(VerifyMacRequest r) {
        Cloud.KmsKey key = macKey(r.keyId(), r.macAlgorithmAsString(), "VerifyMac");
        byte[] expected = hmac(key, message(r.message()));
        byte[] given = r.mac() == null ? new byte[0] : r.mac().asByteArray();
        if (!MessageDigest.isEqual(expected, given)) {
            throw new AwsError("KMSInvalidMacException", "The provided MAC could not be verified.");
        }
        return VerifyMacResponse.builder().keyId(key.arn).macAlgorithm(r.macAlgorithmAsString()).macValid(true).build();
    }

    /** The key named by its ID or ARN, or KMS's error. */
    public static Cloud.KmsKey key(Cloud cloud, String keyId) {
        if (keyId != null) {
            for (Cloud.KmsKey k : cloud.kmsKeys.values()) {
                if (k.id.equals(keyId) || k.arn.equals(keyId)) {
                    return k;
                }
            }
        }
        throw new AwsError("NotFoundException", "Key '" + keyId + "' does not exist");
    }

    private Cloud.KmsKey macKey(String keyId, String algorithm, String operation) {
        Cloud.KmsKey key = key(cloud, keyId);
        if (!"GENERATE_VERIFY_MAC".equals(key.keyUsage)) {
            throw new AwsError("InvalidKeyUsageException", key.arn + " key usage is " + key.keyUsage + " which is not valid for " + operation + ".");
        }
        // An HMAC_256 key supports HMAC_SHA_256 only (KMS Developer Guide, "Key spec reference", HMAC key specs).
        if (!"HMAC_256".equals(key.keySpec) || !"HMAC_SHA_256".equals(algorithm)) {
            throw new AwsError("InvalidKeyUsageException", "The MAC algorithm " + algorithm + " is not compatible with the key spec " + key.keySpec + ".");
        }
        return key;
    }

    private static byte[] message(SdkBytes message) {
        byte[] m = message == null ? new byte[0] : message.asByteArray();
        if (m.length < 1 || m.length > 4096) {
            throw new AwsError("ValidationException", "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have"
                    + " length between 1 and 4096");
        }
        return m;
    }

    private static byte[] hmac(Cloud.KmsKey key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.material, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
