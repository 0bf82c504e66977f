# frozen_string_literal: true

module Vinr
  # A VINR client: +Vinr::Client.new(api_key: ...)+, then +client.payments.create(...)+.
  # +api_key+ defaults to VINR_SECRET_KEY, +api_base+ to VINR_API_BASE (else
  # http://127.0.0.1:3000), +webhook_secret+ to VINR_WEBHOOK_SECRET.
  class Client
    # +client.webhooks.verify(...)+ with the client's webhook secret.
    class ClientWebhooks
      def initialize(secret)
        @secret = secret
      end

      def verify(payload, signature, secret = nil, tolerance: Webhooks::DEFAULT_TOLERANCE)
        Webhooks.verify(payload, signature, secret || @secret, tolerance: tolerance)
      end

      def generate_test_headers(payload, secret = nil)
        Webhooks.generate_test_headers(payload, secret || @secret)
      end
    end

    attr_reader :http, :webhooks

    def initialize(api_key: nil, api_base: nil, webhook_secret: nil, max_retries: 2, timeout: 30, max_retry_delay: 8.0)
      @http = HttpClient.new(api_key: api_key, api_base: api_base, max_retries: max_retries, timeout: timeout,
                             max_retry_delay: max_retry_delay)
      @webhooks = ClientWebhooks.new(webhook_secret || ENV.fetch("VINR_WEBHOOK_SECRET", nil))
      @resources = Resources::NAMESPACES.transform_values { |klass| klass.new(@http) }
    end

    Resources::NAMESPACES.each_key do |name|
      define_method(name) { @resources.fetch(name) }
    end
  end
end
