package io.reliablemq.test.internal;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.proxy.config.ProxyConfig;
import org.apache.rocketmq.proxy.grpc.GrpcServerBuilder;
import org.apache.rocketmq.proxy.grpc.ProxyAndTlsProtocolNegotiator;

/** The proxy's gRPC server builder, bound to 127.0.0.1 instead of every interface. */
final class LoopbackGrpcServerBuilder extends GrpcServerBuilder {
  LoopbackGrpcServerBuilder(ThreadPoolExecutor executor, int port, ProxyConfig config) {
    super(executor, port);
    serverBuilder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .protocolNegotiator(new ProxyAndTlsProtocolNegotiator())
            .bossEventLoopGroup(new NioEventLoopGroup(config.getGrpcBossLoopNum()))
            .workerEventLoopGroup(new NioEventLoopGroup(config.getGrpcWorkerLoopNum()))
            .channelType(NioServerSocketChannel.class)
            .executor(executor)
            .maxInboundMessageSize(config.getGrpcMaxInboundMessageSize())
            .maxConnectionIdle(config.getGrpcClientIdleTimeMills(), TimeUnit.MILLISECONDS);
  }
}
