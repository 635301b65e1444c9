package io.reliablemq.examples.flashsale;

/** The messages of the sale, sent as JSON. */
final class Payloads {
  private Payloads() {}

  /**
   * A buyer won a unit: the order service must create the order.
   *
   * @param orderId the order id, chosen by the shop so that a resubmission carries the same id
   * @param buyerId the buyer
   * @param buyerNo the buyer's number in the scripted sale (decides whether the buyer pays)
   * @param amountCents the price
   */
  record OrderPlaced(String orderId, String buyerId, int buyerNo, long amountCents) {}

  /**
   * Sent with a delay when the order is placed: cancel the order if it is still unpaid.
   *
   * @param orderId the order
   */
  record CancelUnpaid(String orderId) {}

  /**
   * Sent in one transaction with the order's switch to PAID: shipping may start.
   *
   * @param orderId the order
   * @param amountCents the amount paid
   */
  record PaymentCaptured(String orderId, long amountCents) {}
}
