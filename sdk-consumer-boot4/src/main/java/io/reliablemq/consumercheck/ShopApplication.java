package io.reliablemq.consumercheck;

import io.reliablemq.spring.ReliableTemplate;
import io.reliablemq.spring.listener.ReliableMessageListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

/** An application as a user writes it: the starter's template and an annotated listener. */
@SpringBootApplication
public class ShopApplication {
  /**
   * Runs the application.
   *
   * @param args Spring Boot arguments
   */
  public static void main(String[] args) {
    SpringApplication.run(ShopApplication.class, args);
  }

  /** A payload, sent as JSON. */
  public record Order(String id, int quantity) {}

  /** Sends orders. */
  @Component
  public static class Orders {
    private final ReliableTemplate template;
    private final String topic;

    Orders(ReliableTemplate template, @Value("${app.orders}") String topic) {
      this.template = template;
      this.topic = topic;
    }

    /**
     * Places an order.
     *
     * @param order the order
     * @return the send status
     */
    public String place(Order order) {
      return template.sendSync(topic, order).status().name();
    }
  }

  /** Receives orders. */
  @Component
  public static class Warehouse {
    /** What arrived. */
    public final List<Order> received = new CopyOnWriteArrayList<>();

    @ReliableMessageListener(topic = "${app.orders}", consumerGroup = "warehouse")
    void on(Order order) {
      received.add(order);
    }
  }
}
