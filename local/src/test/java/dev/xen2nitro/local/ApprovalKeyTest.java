package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import dev.xen2nitro.local.host.LocalPeople;
import dev.xen2nitro.local.host.StackRoles;
import dev.xen2nitro.local.world.WorldLoader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.KmsInvalidMacException;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.SsmException;

/**
 * Who may use the approval key and the pending approvals, as the local cloud decides it from template.yaml: the key
 * policy lets AnswerApproval's role sign and VerifyApproval's role verify, and nobody else either, an administrator
 * included; the pending approvals are written by RequestApproval's role and read by AnswerApproval's only.
 */
class ApprovalKeyTest {
    static final String KEY = StackRoles.kmsKeyId("ApprovalKey");
    static final SdkBytes MESSAGE = SdkBytes.fromString("{\"approved\":true}", StandardCharsets.UTF_8);
    private LocalCloud local;

    @BeforeEach
    void open() throws Exception {
        local = LocalCloud.open(Worlds.root(), WorldLoader.load(Worlds.read("seed-2012r2-private"), "seed"));
    }

    @AfterEach
    void close() {
        local.close();
    }

    private <T> T client(Class<T> type, AwsCredentials credentials) {
        var provider = StaticCredentialsProvider.create(credentials);
        Region region = Region.of(local.emulator().cloud().region);
        if (type == KmsClient.class) {
            return type.cast(KmsClient.builder().endpointOverride(local.emulator().endpoint()).region(region).credentialsProvider(provider)
                    .httpClient(UrlConnectionHttpClient.create()).build());
        }
        return type.cast(SsmClient.builder().endpointOverride(local.emulator().endpoint()).region(region).credentialsProvider(provider)
                .httpClient(UrlConnectionHttpClient.create()).build());
    }

    private KmsClient kms(String logicalId) {
        return client(KmsClient.class, LocalCloud.credentials(logicalId));
    }

    private static SdkBytes mac(KmsClient kms) {
        return kms.generateMac(r -> r.keyId(KEY).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(MESSAGE)).mac();
    }

    private static boolean verify(KmsClient kms, SdkBytes message, SdkBytes mac) {
        return kms.verifyMac(r -> r.keyId(KEY).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(message).mac(mac)).macValid();
    }

    @Test
    void onlyTheApprovalFunctionSignsAndOnlyTheVerifierVerifies() {
        try (KmsClient answer = kms("AnswerApprovalFunction"); KmsClient verifier = kms("VerifyApprovalFunction");
             KmsClient request = kms("RequestApprovalFunction");
             KmsClient admin = client(KmsClient.class, AwsBasicCredentials.create("AKIAADMIN", "admin-secret"));
             KmsClient alice = client(KmsClient.class, AwsBasicCredentials.create(LocalPeople.ALICE.accessKeyId(), LocalPeople.ALICE.secretAccessKey()))) {
            SdkBytes mac = mac(answer);
            assertEquals(32, mac.asByteArray().length, "HMAC-SHA-256");
            assertTrue(verify(verifier, MESSAGE, mac));
            assertThrows(KmsInvalidMacException.class, () -> verify(verifier, SdkBytes.fromString("{\"approved\":false}", StandardCharsets.UTF_8), mac),
                    "another message, the same MAC");
            for (KmsClient other : new KmsClient[] {verifier, request, admin, alice}) {
                KmsException e = assertThrows(KmsException.class, () -> mac(other));
                assertEquals("AccessDeniedException", e.awsErrorDetails().errorCode());
                assertTrue(e.awsErrorDetails().errorMessage().contains("because no resource-based policy allows the kms:GenerateMac action"),
                        e.awsErrorDetails().errorMessage());
            }
            KmsException e = assertThrows(KmsException.class, () -> verify(answer, MESSAGE, mac), "the signer does not verify");
            assertEquals("AccessDeniedException", e.awsErrorDetails().errorCode());
        }
    }

    @Test
    void onlyTheTwoApprovalFunctionsWriteAPendingApprovalsMacAndOnlyTheApprovalFunctionChecksIt() {
        String pendingKey = StackRoles.kmsKeyId("PendingApprovalKey");
        java.util.function.BiFunction<KmsClient, String, SdkBytes> mac = (kms, key) ->
                kms.generateMac(r -> r.keyId(key).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(MESSAGE)).mac();
        try (KmsClient answer = kms("AnswerApprovalFunction"); KmsClient request = kms("RequestApprovalFunction");
             KmsClient verifier = kms("VerifyApprovalFunction"); KmsClient forget = kms("ForgetApprovalFunction");
             KmsClient admin = client(KmsClient.class, AwsBasicCredentials.create("AKIAADMIN", "admin-secret"))) {
            SdkBytes written = mac.apply(request, pendingKey);
            assertTrue(answer.verifyMac(r -> r.keyId(pendingKey).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(MESSAGE).mac(written)).macValid());
            mac.apply(answer, pendingKey);
            for (KmsClient other : new KmsClient[] {verifier, forget, admin}) {
                assertEquals("AccessDeniedException", assertThrows(KmsException.class, () -> mac.apply(other, pendingKey)).awsErrorDetails().errorCode());
            }
            assertEquals("AccessDeniedException", assertThrows(KmsException.class, () -> request.verifyMac(r -> r.keyId(pendingKey)
                    .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(MESSAGE).mac(written))).awsErrorDetails().errorCode(), "writes, never reads");
            // The request's role writes pending approvals but cannot sign an answer: two keys.
            assertEquals("AccessDeniedException", assertThrows(KmsException.class, () -> mac.apply(request, KEY)).awsErrorDetails().errorCode());
            assertThrows(KmsInvalidMacException.class, () -> verify(verifier, MESSAGE, written), "a pending approval's MAC is no answer's signature");
        }
    }

    @Test
    void thePendingApprovalsAreWrittenByTheRequestAndReadByTheApprovalFunctionOnly() {
        String name = "/xen2nitro/approvals/0123456789abcdef";
        try (SsmClient request = client(SsmClient.class, LocalCloud.credentials("RequestApprovalFunction"));
             SsmClient answer = client(SsmClient.class, LocalCloud.credentials("AnswerApprovalFunction"));
             SsmClient forget = client(SsmClient.class, LocalCloud.credentials("ForgetApprovalFunction"));
             SsmClient preflight = client(SsmClient.class, LocalCloud.credentials("PreflightFunction"))) {
            request.putParameter(r -> r.name(name).type(ParameterType.SECURE_STRING).value("{\"taskToken\":\"t\"}").overwrite(true));
            assertEquals("AccessDeniedException", assertThrows(SsmException.class,
                    () -> request.getParameter(r -> r.name(name).withDecryption(true))).awsErrorDetails().errorCode(), "written, never read");
            assertEquals("AccessDeniedException", assertThrows(SsmException.class,
                    () -> request.putParameter(r -> r.name("/xen2nitro/other").type(ParameterType.STRING).value("x"))).awsErrorDetails().errorCode(),
                    "only under the stack's path");
            assertEquals("AccessDeniedException", assertThrows(SsmException.class,
                    () -> preflight.getParameter(r -> r.name(name).withDecryption(true))).awsErrorDetails().errorCode());
            assertEquals("{\"taskToken\":\"t\"}", answer.getParameter(r -> r.name(name).withDecryption(true)).parameter().value());
            assertNotEquals("{\"taskToken\":\"t\"}", answer.getParameter(r -> r.name(name)).parameter().value(),
                    "a SecureString without WithDecryption is its ciphertext");
            assertEquals("AccessDeniedException", assertThrows(SsmException.class,
                    () -> forget.getParameter(r -> r.name(name).withDecryption(true))).awsErrorDetails().errorCode(), "forgets without reading");
            forget.deleteParameter(r -> r.name(name));
            assertThrows(ParameterNotFoundException.class, () -> answer.getParameter(r -> r.name(name).withDecryption(true)));
        }
        assertTrue(local.emulator().cloud().parameters.isEmpty());
    }
}
