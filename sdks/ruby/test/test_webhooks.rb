# frozen_string_literal: true

require_relative "test_helper"

# The shared vectors (made by the server's signing code, and cross-checked against the
# published standardwebhooks packages by the TypeScript and Python tests) verify here exactly
# as on the server. (The standardwebhooks gem is not reachable from here: RubyGems is not one of
# the registries this project installs from.)
class WebhooksTest < Minitest::Test
  VECTORS = JSON.parse(File.read(File.expand_path("../../testdata/webhook-signatures.json", __dir__)))

  VECTORS["cases"].each_with_index do |c, i|
    define_method("test_vector_#{i}_#{c['name'].gsub(/\W+/, '_')}") do
      check = lambda do
        Vinr::Webhooks.verify_signature(c["body"], c["headers"], c["secret"],
                                        tolerance: VECTORS["tolerance"], now: VECTORS["now"])
      end
      if c["valid"]
        assert check.call
      else
        e = assert_raises(Vinr::SignatureVerificationError, &check)
        assert_equal c["error"], e.code
      end
    end
  end

  def test_header_hashes_of_any_case_rack_env_keys_and_a_bare_value_work
    c = VECTORS["cases"].find { |v| v["name"] == "both header styles" }
    now = VECTORS["now"]
    upper = c["headers"].transform_keys(&:upcase)
    rack = c["headers"].to_h { |k, v| ["HTTP_#{k.upcase.tr('-', '_')}", v] }
    [upper, rack, c["headers"]["x-vinr-signature"]].each do |headers|
      assert Vinr::Webhooks.verify_signature(c["body"], headers, c["secret"], now: now)
    end
    assert_equal "payment.completed", Vinr::Webhooks.verify(c["body"], c["headers"], c["secret"], now: now).type
  end

  def test_generated_test_headers_verify_and_fail_for_another_body
    secret = VECTORS["cases"][0]["secret"]
    body = JSON.generate({ id: "evt_1", type: "payment.completed" })
    headers = Vinr::Webhooks.generate_test_headers(body, secret)
    assert_equal "evt_1", Vinr::Webhooks.verify(body, headers, secret).id
    assert_raises(Vinr::SignatureVerificationError) { Vinr::Webhooks.verify("#{body} ", headers, secret) }
    e = assert_raises(Vinr::SignatureVerificationError) { Vinr::Webhooks.verify(body, {}, secret) }
    assert_equal "missing_headers", e.code
    e = assert_raises(Vinr::SignatureVerificationError) { Vinr::Webhooks.verify(body, nil, secret) }
    assert_equal "missing_headers", e.code
    Vinr.webhook_secret = secret
    assert_equal "evt_1", Vinr::Webhooks.verify(body, headers).id
  ensure
    Vinr.webhook_secret = nil
  end

  def test_a_verified_event_reads_as_the_guides_read_it
    secret = VECTORS["cases"][0]["secret"]
    payment = { id: "pay_1", object: "payment", amount: 4999, customer: "cust_1", metadata: { order_id: "42" } }
    body = JSON.generate({ id: "evt_1", object: "event", type: "payment.completed", data: { object: payment } })
    event = Vinr::Webhooks.verify(body, Vinr::Webhooks.generate_test_headers(body, secret), secret)
    assert_equal "pay_1", event.data.object.id
    assert_equal ["pay_1", 4999, "cust_1"], [event.data.id, event.data.amount, event.data.customer]
    assert_equal "42", event.data.metadata.order_id
    assert_raises(NoMethodError) { event.data.nothing }
    assert_equal JSON.parse(body), JSON.parse(JSON.generate(event))
  end
end
