package io.reliablemq.test.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.auth.authentication.enums.UserType;
import org.apache.rocketmq.auth.authentication.manager.AuthenticationMetadataManager;
import org.apache.rocketmq.auth.authentication.model.User;
import org.apache.rocketmq.auth.authorization.enums.Decision;
import org.apache.rocketmq.auth.authorization.enums.PolicyType;
import org.apache.rocketmq.auth.authorization.manager.AuthorizationMetadataManager;
import org.apache.rocketmq.auth.authorization.model.Acl;
import org.apache.rocketmq.auth.authorization.model.Policy;
import org.apache.rocketmq.auth.authorization.model.PolicyEntry;
import org.apache.rocketmq.auth.authorization.model.Resource;
import org.apache.rocketmq.broker.BrokerController;
import org.apache.rocketmq.common.action.Action;

/**
 * Child side of {@link AclConfig}: creates or updates the users of the users file in a broker's ACL
 * 2.0 store (RocksDB under the store root) and replaces their ACLs, through the broker's own
 * metadata managers. Never load this class in the parent JVM: it needs the broker's jars.
 */
final class AclLoader {
  private static final long TIMEOUT_SECONDS = 30;

  private AclLoader() {}

  /**
   * Applies the users file of the work dir, if any.
   *
   * @param broker a started broker with authentication on
   * @param workDir the work dir holding {@value AclConfig#USERS_FILE}
   * @throws Exception when the broker refuses a user or an ACL
   */
  static void load(BrokerController broker, Path workDir) throws Exception {
    AuthenticationMetadataManager users = broker.getAuthenticationMetadataManager();
    AuthorizationMetadataManager acls = broker.getAuthorizationMetadataManager();
    if (users == null || acls == null) {
      throw new IllegalStateException("the broker has no ACL 2.0 metadata managers");
    }
    for (AclConfig.UserSpec spec : AclConfig.readUsers(workDir)) {
      User existing = users.getUser(spec.username()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      User user = User.of(spec.username(), spec.password(), UserType.NORMAL);
      if (existing == null) {
        users.createUser(user).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } else {
        users.updateUser(user).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
      // Replace, not merge: the file says everything the user may do.
      if (acls.getAcl(User.of(spec.username())).get(TIMEOUT_SECONDS, TimeUnit.SECONDS) != null) {
        acls.deleteAcl(User.of(spec.username())).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
      if (spec.grants().isEmpty()) {
        continue;
      }
      // One policy with an entry per resource: the broker consults only the first policy of a
      // type (acl.getPolicy(CUSTOM)), so a second CUSTOM policy would be ignored.
      List<PolicyEntry> entries = new ArrayList<>();
      for (Map.Entry<String, List<String>> g : spec.grants().entrySet()) {
        List<Action> actions = new ArrayList<>();
        for (String a : g.getValue()) {
          actions.add(Action.valueOf(a));
        }
        entries.add(PolicyEntry.of(Resource.of(g.getKey()), actions, null, Decision.ALLOW));
      }
      acls.createAcl(Acl.of(User.of(spec.username()), Policy.of(PolicyType.CUSTOM, entries)))
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /**
   * Deletes a user and its ACL.
   *
   * @param broker the broker
   * @param username the user
   * @throws Exception when the broker fails to delete it
   */
  static void delete(BrokerController broker, String username) throws Exception {
    broker
        .getAuthenticationMetadataManager()
        .deleteUser(username)
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }
}
