# frozen_string_literal: true

require_relative "test_helper"
require "tmpdir"
require "fileutils"

# The SDK against a real VINR server (the vinr binary named by VINR_BIN, which make sdk-ruby
# builds and sets): payments through their life in both call styles, an idempotent replay, a
# decline, pagination, and a webhook delivered to a local receiver and verified.
class LiveTest < Minitest::Test
  BIN = ENV.fetch("VINR_BIN", nil)
  raise "VINR_BIN must name the vinr binary under CI" if BIN.nil? && ENV["CI"]

  PORT = 3150

  # A server on a fresh SQLite database, started once for the class.
  def self.server
    @server ||= begin
      data = Dir.mktmpdir("vinr-sdk-rb-")
      env = {
        "VINR_ADDR" => "127.0.0.1:#{PORT}", "VINR_PUBLIC_URL" => "http://127.0.0.1:#{PORT}",
        "VINR_DATA_DIR" => data, "VINR_DATABASE_URL" => "", "VINR_SECRET" => "",
        "VINR_SANDBOX_LATENCY_MS" => "0", "VINR_DEMO_SHOP_ADDR" => "127.0.0.1:#{PORT + 1}", "RUST_LOG" => "warn"
      }
      out, writer = IO.pipe
      pid = Process.spawn(env, BIN, "serve", out: writer)
      writer.close
      output = +""
      key = nil
      deadline = Time.now + 60
      while key.nil? && Time.now < deadline && (line = out.gets)
        output << line
        key = output[/Secret key:\s+(\S+)/, 1] if output.match?(/Publishable key:.*\n/)
      end
      raise "the server did not start:\n#{output}" unless key

      # Keep reading what it prints, so a full pipe never blocks the server.
      Thread.new { out.each_line { nil } }
      Minitest.after_run do
        Process.kill("TERM", pid)
        Process.wait(pid)
        FileUtils.rm_rf(data)
      end
      { base: "http://127.0.0.1:#{PORT}", key: key }
    end
  end

  def setup
    skip "VINR_BIN is not set (make sdk-ruby sets it)" unless BIN
    @client = Vinr::Client.new(api_key: self.class.server[:key], api_base: self.class.server[:base])
  end

  def teardown
    Vinr.api_key = nil
    Vinr.api_base = nil
  end

  def test_a_payment_through_its_life_create_retrieve_capture_refund_list
    customer = @client.customers.create(email: "sdk-rb@example.com")
    payment = @client.payments.create(amount: 5000, currency: "EUR", payment_method: "pm_card_visa",
                                      capture_method: "manual", customer: customer.id, metadata: { orderId: "A-1" })
    assert_equal "requires_capture", payment.status
    assert_equal({ "orderId" => "A-1" }, payment.metadata)
    assert_equal payment.id, @client.payments.retrieve(payment.id).id
    captured = @client.payments.capture(payment.id, amount_to_capture: 4000)
    assert_equal ["succeeded", 4000], [captured.status, captured.amount_received]
    assert_equal 1000, @client.refunds.create(payment: payment.id, amount: 1000).amount
    assert_equal 1000, @client.payments.retrieve(payment.id).amount_refunded
    assert_equal payment.id, @client.payments.list(limit: 1).data.first.id
  end

  def test_the_module_style_with_settings_from_the_module
    Vinr.api_key = self.class.server[:key]
    Vinr.api_base = self.class.server[:base]
    payment = Vinr::Payment.create(amount: 3000, currency: "EUR", payment_method: "pm_card_visa", capture_method: "manual")
    assert_equal "requires_capture", Vinr::Payment.retrieve(payment.id).status
    assert_equal "canceled", Vinr::Payment.cancel(payment.id).status
  end

  def test_an_idempotent_replay_a_decline_a_bad_request_and_iteration_across_pages
    first = @client.payments.create(amount: 700, currency: "EUR", idempotency_key: "sdk-rb-replay-1")
    again = @client.payments.create({ amount: 700, currency: "EUR" }, idempotency_key: "sdk-rb-replay-1")
    assert_equal first.id, again.id
    declined = assert_raises(Vinr::CardError) do
      @client.payments.create(amount: 900, currency: "EUR", payment_method: "pm_card_chargeDeclined")
    end
    assert_equal [402, "generic_decline"], [declined.http_status, declined.decline_code]
    bad = assert_raises(Vinr::InvalidRequestError) { @client.payments.create(currency: "EUR") }
    assert_equal "amount", bad.param
    refute_nil bad.request_id
    made = Array.new(3) { @client.payments.create(amount: 100, currency: "EUR").id }
    seen = @client.payments.list(limit: 2).auto_paging_each.map(&:id)
    assert_equal seen.uniq, seen
    assert_empty [first.id, *made] - seen
  end

  def test_a_delivered_webhook_verifies_with_the_endpoints_secret
    receiver = TCPServer.new("127.0.0.1", 0)
    received = Queue.new
    thread = Thread.new do
      loop do
        socket = receiver.accept
        socket.gets
        headers = {}
        while (line = socket.gets) && line != "\r\n"
          name, value = line.split(":", 2)
          headers[name.downcase] = value.strip
        end
        received << [socket.read(headers["content-length"].to_i), headers]
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        socket.close
      end
    end
    endpoint = @client.webhook_endpoints.create(url: "http://127.0.0.1:#{receiver.addr[1]}/hooks",
                                                enabled_events: ["payment.succeeded"])
    payment = @client.payments.create(amount: 2500, currency: "EUR", payment_method: "pm_card_visa")
    delivery = nil
    deadline = Time.now + 20
    while delivery.nil? && Time.now < deadline
      candidate = begin
        received.pop(true)
      rescue ThreadError # nothing yet (Ruby 3.1's Queue#pop has no timeout)
        sleep 0.1
        next
      end
      delivery = candidate if candidate[0].include?(payment.id)
    end
    refute_nil delivery, "the payment.succeeded event was delivered"
    body, headers = delivery
    event = @client.webhooks.verify(body, headers, endpoint.secret)
    assert_equal ["payment.succeeded", payment.id], [event.type, event.data.object.id]
    assert_raises(Vinr::SignatureVerificationError) do
      @client.webhooks.verify(body.sub("2500", "25000"), headers, endpoint.secret)
    end
  ensure
    thread&.kill
    receiver&.close
  end

  # The README's examples, run as written.
  def test_the_readmes_examples_run_against_the_server
    Vinr.api_key = self.class.server[:key]
    Vinr.api_base = self.class.server[:base]
    readme = File.read(File.expand_path("../README.md", __dir__))
    code = readme.split("## Every resource, one example each", 2).last[/```ruby\n(.*?)```/m, 1]
    refute_nil code, "the README has no example block"
    scope = Object.new.instance_eval { binding }
    printed = capture_io { scope.eval(code, "README.md", 1) }.first
    assert_equal "requires_capture", scope.local_variable_get(:payment).status
    assert_equal 1500, Vinr::Payment.retrieve(scope.local_variable_get(:payment).id).amount_refunded
    assert_equal "succeeded", Vinr::Payment.retrieve(scope.local_variable_get(:challenged).id).status
    assert_equal "canceled", Vinr::Subscription.retrieve(scope.local_variable_get(:subscription).id).status
    assert_operator printed.scan("pay_").size, :>=, 3
  end
end
