# frozen_string_literal: true

require_relative "test_helper"

# The runtime against a local stub server: what it sends, when it retries, what it raises,
# pagination, and both call styles.
class ClientTest < Minitest::Test
  def setup
    @stubs = []
  end

  def teardown
    @stubs.each(&:close)
    Vinr.api_key = nil
    Vinr.api_base = nil
  end

  def stub(script)
    Stub.new(script).tap { |s| @stubs << s }
  end

  def client(base, **extra)
    Vinr::Client.new(api_key: "sk_test_x", api_base: base, max_retry_delay: 0.001, **extra)
  end

  def test_a_post_is_json_with_snake_case_keys_metadata_kept_and_an_idempotency_key
    s = stub([Stub.answer(200, { id: "pay_1", object: "payment" })])
    client(s.base).payments.create(amount: 5000, paymentMethod: "pm_card_visa", metadata: { orderId: "42" })
    req = s.seen.first
    assert_equal "sk_test_x", req.headers["x-api-key"]
    assert_equal "application/json", req.headers["content-type"]
    assert_match(/\Avinr-ruby-/, req.headers["idempotency-key"])
    assert_equal({ "amount" => 5000, "payment_method" => "pm_card_visa", "metadata" => { "orderId" => "42" } },
                 JSON.parse(req.body))
  end

  def test_calls_share_one_kept_alive_connection
    s = Stub.new([Stub.answer(200, { id: "pay_1", object: "payment" })], keep_alive: true)
    c = client(s.base)
    3.times { c.payments.retrieve("pay_1") }
    c.payments.create(amount: 100, currency: "EUR")
    assert_equal 4, s.seen.size
    assert_equal 1, s.connections, "one TCP connection for four calls"
  ensure
    s&.close
  end

  def test_5xx_and_429_are_retried_with_the_same_idempotency_key
    s = stub([Stub.answer(500, { error: { type: "api_error" } }),
              Stub.answer(429, { error: { type: "rate_limit_error" } }, "retry-after" => "0"),
              Stub.answer(200, { id: "pay_1" })])
    out = client(s.base).payments.create(amount: 1, idempotency_key: "order-42")
    assert_equal "pay_1", out.id
    assert_equal ["order-42"] * 3, s.seen.map { |r| r.headers["idempotency-key"] }
    s2 = stub([Stub.answer(503, {}), Stub.answer(200, { id: "pay_2" })])
    client(s2.base).payments.create(amount: 1)
    assert_equal 2, s2.seen.size
    assert_equal 1, s2.seen.map { |r| r.headers["idempotency-key"] }.uniq.size
  end

  def test_a_4xx_is_not_retried_and_raises_its_class_with_code_param_status_and_request_id
    s = stub([Stub.answer(400, { error: { type: "invalid_request_error", code: "parameter_missing",
                                          param: "amount", message: "amount is required" } })])
    e = assert_raises(Vinr::InvalidRequestError) { client(s.base).payments.create }
    assert_equal ["parameter_missing", "amount", 400, "req_123", "amount is required"],
                 [e.code, e.param, e.http_status, e.request_id, e.message]
    assert_equal 1, s.seen.size
  end

  def test_a_decline_is_a_card_error_and_each_type_has_its_class
    s = stub([Stub.answer(402, { error: { type: "card_error", code: "card_declined",
                                          decline_code: "insufficient_funds", payment: { id: "pay_9" } } })])
    e = assert_raises(Vinr::CardError) { client(s.base).payments.create }
    assert_equal "insufficient_funds", e.decline_code
    assert_equal({ "id" => "pay_9" }, e.payment)
    { "authentication_error" => Vinr::AuthenticationError, "permission_error" => Vinr::PermissionError,
      "idempotency_error" => Vinr::IdempotencyError, "something_new" => Vinr::APIError }.each do |type, klass|
      s = stub([Stub.answer(409, { error: { type: type, message: "no" } })])
      assert_raises(klass) { client(s.base).payments.list }
    end
  end

  def test_rate_limiting_past_the_retries_raises_rate_limit_error
    s = stub([Stub.answer(429, { error: { type: "rate_limit_error" } }, "retry-after" => "0")])
    assert_raises(Vinr::RateLimitError) { client(s.base, max_retries: 1).payments.list }
    assert_equal 2, s.seen.size
  end

  def test_an_unreachable_server_and_a_silent_one_are_connection_errors
    s = stub([Stub.answer(200, {})])
    base = s.base
    s.close
    assert_raises(Vinr::APIConnectionError) { client(base, max_retries: 1).payments.list }
    silent = stub([Stub::SILENT])
    e = assert_raises(Vinr::APIConnectionError) { client(silent.base, max_retries: 0, timeout: 0.1).payments.list }
    assert_match(/within 0.1 s/, e.message)
  end

  def page(ids, more)
    Stub.answer(200, { object: "list", data: ids.map { |i| { id: i } }, has_more: more, url: "/v1/payments" })
  end

  def test_lists_iterate_across_pages_with_starting_after
    s = stub([page(%w[pay_3 pay_2], true), page(%w[pay_1], false)])
    first = client(s.base).payments.list(limit: 2, expand: ["customer"])
    assert_equal %w[pay_3 pay_2], first.map(&:id)
    assert_equal %w[pay_3 pay_2 pay_1], first.auto_paging_each.map(&:id)
    assert_equal "/v1/payments?limit=2&expand%5B%5D=customer", s.seen[0].url
    assert_equal "/v1/payments?limit=2&expand%5B%5D=customer&starting_after=pay_2", s.seen[1].url
  end

  def test_responses_keep_snake_case_with_method_and_symbol_access
    body = { id: "pay_1", checkout_url: "http://x/c", metadata: { order_id: "42" } }
    s = stub([Stub.answer(200, body)])
    p = client(s.base).payments.retrieve("pay_1")
    assert_equal "http://x/c", p.checkout_url
    assert_equal "http://x/c", p[:checkout_url]
    assert_equal "42", p.metadata.order_id
    assert_raises(NoMethodError) { p.checkoutUrl }
    assert_equal JSON.parse(JSON.generate(body)), JSON.parse(JSON.generate(p))
  end

  def test_methods_put_ids_in_the_path_and_options_in_headers
    s = stub([Stub.answer(200, { id: "pay_1" })])
    client(s.base).payments.capture("pay_1/x", { amountToCapture: 3000 }, idempotency_key: "cap-1", api_key: "sk_test_other")
    req = s.seen.first
    assert_equal ["POST", "/v1/payments/pay_1%2Fx/capture"], [req.method, req.url]
    assert_equal({ "amount_to_capture" => 3000 }, JSON.parse(req.body))
    assert_equal "cap-1", req.headers["idempotency-key"]
    assert_equal "sk_test_other", req.headers["x-api-key"]
  end

  def test_the_module_style_uses_the_module_settings
    s = stub([Stub.answer(200, { id: "pay_1", status: "succeeded" })])
    Vinr.api_key = "sk_test_module"
    Vinr.api_base = s.base
    p = Vinr::Payment.create(amount: 5000, currency: "EUR", payment_method: "pm_card_visa")
    assert_equal "succeeded", p.status
    assert_equal "sk_test_module", s.seen.first.headers["x-api-key"]
    assert Vinr::LoyaltyPoints.respond_to?(:earn)
    assert Vinr::Usage.respond_to?(:record)
    assert_raises(NoMethodError) { Vinr::Payment.fly }
  end

  def test_query_strings_nest_with_brackets_and_retry_delays_grow_jitter_and_honour_retry_after
    assert_equal "created_at%5Bgte%5D=1&expand%5B%5D=a&expand%5B%5D=b&live=true",
                 Vinr::HttpClient.query_string({ createdAt: { gte: 1 }, expand: %w[a b], live: true })
    50.times do
      assert_includes 0.25..0.5, Vinr::HttpClient.retry_delay(1, nil, 8)
      assert_includes 1.0..2.0, Vinr::HttpClient.retry_delay(3, nil, 8)
      assert_operator Vinr::HttpClient.retry_delay(10, nil, 8), :<=, 8
    end
    assert_operator Vinr::HttpClient.retry_delay(1, "3", 8), :>=, 3
  end
end
